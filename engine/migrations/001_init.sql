-- The engine's whole state. Times are timestamptz written from the engine's clock (passed as
-- parameters), so tests can inject a clock and SQL follows it.

create table apps (
  id          text primary key,              -- the SDK's app id (client id)
  url         text not null,                 -- serve URL with deployId stripped
  sdk         text,
  synced_at   timestamptz not null,
  error       text
);

create table functions (
  id            text primary key,            -- composite slug `${appId}-${fnId}`
  app_id        text not null references apps(id) on delete cascade,
  name          text not null,
  url           text not null,               -- runtime URL (fnId + stepId query)
  max_attempts  int not null check (max_attempts between 1 and 21),
  config        jsonb not null,              -- the FunctionConfig as synced
  updated_at    timestamptz not null
);

-- A cron trigger as first seen: `created_at` stops a fresh sync from firing a tick that was due
-- before the schedule existed.
create table cron_schedules (
  function_id text not null references functions(id) on delete cascade,
  cron        text not null,
  created_at  timestamptz not null,
  primary key (function_id, cron)
);

-- One row per fired tick: the primary key is what makes a tick fire once across restarts and
-- across engine processes.
create table cron_ticks (
  function_id text not null,
  cron        text not null,
  fire_at     timestamptz not null,
  event_id    text not null,
  primary key (function_id, cron, fire_at)
);

create table events (
  internal_id text primary key,              -- ULID returned to the sender
  id          text not null,                 -- user-supplied id, else internal_id
  name        text not null,
  payload     jsonb not null,                -- the event as functions see it
  received_at timestamptz not null
);
create index events_id_idx on events (id);
create index events_received_idx on events (received_at desc);

create table runs (
  id            text primary key,            -- ULID
  function_id   text not null,
  event_id      text not null references events(internal_id),
  status        text not null check (status in ('queued', 'running', 'completed', 'failed', 'cancelled')),
  version       int not null default -1,     -- request version the SDK pinned
  force_plan    boolean not null default false,
  output        jsonb,
  error         jsonb,
  created_at    timestamptz not null,
  started_at    timestamptz,
  ended_at      timestamptz
);
create index runs_event_idx on runs (event_id);
create index runs_created_idx on runs (created_at desc);

-- Dedupe keys per function (event id, idempotency key), valid until expires_at (24 h).
create table run_keys (
  function_id text not null,
  key         text not null,
  run_id      text not null,
  expires_at  timestamptz not null,
  primary key (function_id, key)
);

-- Memoised step results; `seq` is completion order (the SDK's stack).
create table steps (
  run_id      text not null references runs(id) on delete cascade,
  step_id     text not null,                 -- sha1 hash the SDK uses
  seq         bigserial,
  name        text,
  op          text not null,
  result      jsonb,                         -- {data} | {error} | null, exactly what the SDK gets back
  created_at  timestamptz not null,
  primary key (run_id, step_id)
);

-- Work items. kind 'call' = HTTP request to the SDK for step_id ('step' = discovery);
-- kind 'wake' = end of a sleep (records the sleep step, no HTTP).
create table queue (
  id            bigserial primary key,
  run_id        text not null references runs(id) on delete cascade,
  kind          text not null check (kind in ('call', 'wake')),
  step_id       text not null,
  attempt       int not null default 0,
  state         text not null check (state in ('queued', 'running')),
  run_at        timestamptz not null,
  lease_token   uuid,
  lease_until   timestamptz,
  ckeys         text[] not null default '{}',   -- concurrency keys this item holds while running
  climits       int[] not null default '{}',
  blocked       boolean not null default false  -- delayed because a concurrency key was full
);
create index queue_due_idx on queue (run_at, id) where state = 'queued';
create index queue_lease_idx on queue (lease_until) where state = 'running';
create index queue_run_idx on queue (run_id);
create index queue_ckeys_idx on queue using gin (ckeys);
-- A planned step is queued at most once while pending (the SDK may re-report it).
create unique index queue_pending_step_idx on queue (run_id, kind, step_id);

-- Every HTTP attempt, for operators (read API) and to count attempts per step.
create table attempts (
  id          bigserial primary key,
  run_id      text not null references runs(id) on delete cascade,
  step_id     text not null,
  step_name   text,
  attempt     int not null,
  outcome     text not null,                 -- ok | error | failed | planned | sleep | completed
  status_code int,
  error       jsonb,
  retry_at    timestamptz,
  started_at  timestamptz not null,
  ended_at    timestamptz not null
);
create index attempts_run_idx on attempts (run_id, id);
