-- Waits (step.waitForEvent, step.invoke, cancelOn), run-level timers (timeouts.start/finish),
-- race / v1 discovery, the lease-rescue cap and refused SDK calls.

-- Queue kinds: 'timeout' ends a wait or an invoke whose pause is still open (it is a pending step);
-- 'deadline' is a run-level timer (timeouts.start / timeouts.finish), never a pending step.
alter table queue drop constraint queue_kind_check;
alter table queue add constraint queue_kind_check check (kind in ('call', 'wake', 'timeout', 'deadline'));
-- Completing this item asks for a discovery at once (group.parallel race mode), even with
-- sibling steps still pending.
alter table queue add column race boolean not null default false;
-- Set on a running discovery when a race/v1 completion wanted another one meanwhile: it runs again.
alter table queue add column rediscover boolean not null default false;
-- How many times the item's lease expired while it was in flight (its process died).
alter table queue add column rescues int not null default 0;

-- The run's concurrency keys, so work created outside a worker (an event resuming a wait) can
-- carry them.
alter table runs add column ckeys text[] not null default '{}';
alter table runs add column climits int[] not null default '{}';
-- The first SDK call to an endpoint this engine lacks (realtime, run metadata) during the run: a
-- later error of the run fails it at once, naming the feature, instead of retrying for minutes.
alter table runs add column refused text;

-- Open waits. A pause matches only events ingested after it was committed ("recorded").
create table pauses (
  id             bigserial primary key,
  run_id         text not null references runs(id) on delete cascade,
  kind           text not null check (kind in ('wait', 'invoke', 'cancel')),
  step_id        text not null,            -- hashed step id; 'cancel:<n>' for cancelOn entries
  step_name      text,
  event_name     text not null,            -- exact event name (no wildcards)
  expression     text,                     -- CEL over `event` (the run's trigger) and `async` (the candidate)
  correlation_id text,                     -- invoke: '<parent run id>.<hashed step id>'
  race           boolean not null default false,
  created_at     timestamptz not null,
  expires_at     timestamptz not null,
  unique (run_id, step_id)
);
create index pauses_event_idx on pauses (event_name) where kind <> 'invoke';
create index pauses_correlation_idx on pauses (correlation_id) where kind = 'invoke';
