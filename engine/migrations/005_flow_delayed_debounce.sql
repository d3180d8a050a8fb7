-- Flow control meets delayed starts (a future event `ts`): a debounce remembers when its latest
-- event asked the run to start (engine clock), so the run it fires starts no earlier (notes §9).
-- A delayed run of a throttled function needs no schema change: its start timer is a 'flow' item
-- with step_id 'start:<run id>'.
alter table flow_debounces add column start_at timestamptz;
