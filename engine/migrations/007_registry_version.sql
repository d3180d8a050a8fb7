-- The version of the synced functions: bumped by every sync that changes them, in the sync's
-- transaction. Each engine process loads its in-memory registry at a version; the event API
-- compares it with this row in the statement that stores the events, so an event accepted after a
-- sync on another process starts the synced functions' runs — the NOTIFY that reloads registries
-- arrives a moment later, and until now an event in that moment was stored with no runs at all.
create table registry_version (
  only_row boolean primary key default true check (only_row),
  version bigint not null
);
insert into registry_version (version) values (0);
