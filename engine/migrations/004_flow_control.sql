-- Flow control: throttle, rateLimit, debounce, batchEvents (src/flow-control/). Every piece of
-- state lives here, written in the same transaction as the event that caused it, so a restart
-- loses nothing; every change to a function's flow state happens under that function's advisory
-- lock (flow-control/lock.ts), so several engine processes never race on it.

-- GCRA state per function and key: the theoretical arrival time, in engine-clock milliseconds
-- (fractional: period / limit need not be a whole number of ms). For a throttle key with runs
-- waiting, `gate_id` is the 'flow' queue item that admits them when the limit allows.
create table flow_gcra (
  kind        text not null check (kind in ('throttle', 'rate_limit')),
  function_id text not null,
  key         text not null,
  tat_ms      double precision not null,
  gate_id     bigint,
  primary key (kind, function_id, key)
);
create index flow_gcra_gate_idx on flow_gcra (gate_id) where gate_id is not null;

-- Throttled runs waiting to start, FIFO per function and key (`seq`). The run row exists (status
-- 'queued'); its first queue item is created when the gate admits it. Outside the queue, a backlog
-- of any size costs the claim nothing.
create table flow_throttle_waiting (
  seq         bigserial primary key,
  function_id text not null,
  key         text not null,
  run_id      text not null references runs(id) on delete cascade deferrable initially deferred,
  ckeys       text[] not null default '{}',
  climits     int[] not null default '{}'
);
create index flow_throttle_waiting_key_idx on flow_throttle_waiting (function_id, key, seq);

-- Timers of flow control ride the queue as kind 'flow' items without a run; step_id names what
-- fires: 'debounce:<id>', 'batch:<id>' (these create a run) or 'throttle' (a gate, see above). The
-- kind list includes the run-side kinds ('timeout', 'deadline') so this migration composes with 003.
alter table queue alter column run_id drop not null;
alter table queue drop constraint queue_kind_check;
alter table queue add constraint queue_kind_check check (kind in ('call', 'wake', 'timeout', 'deadline', 'flow'));
alter table queue add constraint queue_flow_run_check check ((kind = 'flow') = (run_id is null));

-- rateLimit drops a run: it is recorded as a run with status 'skipped' (never queued) so operators
-- see it next to the event.
alter table runs drop constraint runs_status_check;
alter table runs add constraint runs_status_check
  check (status in ('queued', 'running', 'completed', 'failed', 'cancelled', 'skipped'));
alter table runs add column skip_reason text;

-- A pending debounce per function and key. `open` turns false when its timer item was already
-- claimed (firing): the next event then starts a new debounce, as in Inngest.
create table flow_debounces (
  id          text primary key,                -- ULID
  function_id text not null,
  key         text not null,
  open        boolean not null default true,
  queue_id    bigint not null,                 -- the 'flow' queue item that fires it
  event_id    text not null references events(internal_id),  -- the latest event: it wins
  event_ts    double precision not null,       -- its `ts`: an older event never replaces it
  created_at  timestamptz not null,            -- first event
  deadline    timestamptz                      -- created_at + timeout: the fire time never passes it
);
create unique index flow_debounces_open_idx on flow_debounces (function_id, key) where open;

-- Batches per function and key: open while collecting; closed when started (full, 10 MiB, or its
-- timeout), with the run that received them.
create table flow_batches (
  id          text primary key,                -- ULID
  function_id text not null,
  key         text not null,
  open        boolean not null default true,
  size        int not null default 0,
  bytes       bigint not null default 0,       -- sum of the events' JSON sizes (10 MiB cap)
  queue_id    bigint,                          -- the timeout item
  created_at  timestamptz not null,            -- first event; the timeout counts from here
  run_id      text
);
create unique index flow_batches_open_idx on flow_batches (function_id, key) where open;
create index flow_batches_run_idx on flow_batches (run_id) where run_id is not null;

create table flow_batch_events (
  batch_id    text not null references flow_batches(id) on delete cascade,
  seq         int not null,                    -- append order, from 1
  event_id    text not null references events(internal_id),
  primary key (batch_id, seq)
);
create index flow_batch_events_event_idx on flow_batch_events (event_id);
