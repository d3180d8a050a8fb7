-- Most queue items carry no concurrency keys. Keep them out of the keyed indexes: the claim's
-- "are keyed items due?" probe stays O(1) however long the unkeyed backlog is, and unkeyed rows
-- never pay for GIN maintenance.
drop index if exists queue_ckeys_idx;
create index queue_ckeys_idx on queue using gin (ckeys) where ckeys <> '{}';
create index queue_keyed_due_idx on queue (run_at, id) where state = 'queued' and ckeys <> '{}';
