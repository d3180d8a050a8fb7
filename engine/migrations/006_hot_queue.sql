-- Queue rows are updated in place all the time (claims, continuations, leases). Leave room on each
-- page so that updates touching no indexed column (a run's discovery continuing as the next one)
-- stay HOT: no new index entries, less WAL.
alter table queue set (fillfactor = 70);
