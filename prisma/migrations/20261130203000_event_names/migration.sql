-- Event names in one grammar, <domain>/<noun>.<verb> (docs/decisions/2026-11-30-event-names.md).
-- Stored names are renamed so that an outbox row still unsent at the upgrade, and a dead letter
-- retried after it (a Retry re-sends the stored name), still reach their function. The same
-- pairs are RENAMED_EVENTS in inngest/events.ts. Scheduled-run rows store "cron"/"manual:…",
-- not event names; audit log entries keep the name that was sent at the time.

CREATE TEMPORARY TABLE event_renames (old_name text PRIMARY KEY, new_name text NOT NULL);
INSERT INTO event_renames (old_name, new_name) VALUES
  ('user.signed-up', 'user/account.created'),
  ('user.avatar-uploaded', 'user/avatar.uploaded'),
  ('admin/dead-letters.bulk-requested', 'dead-letters/bulk-action.requested'),
  ('digest/send.requested', 'digest/email.requested'),
  ('maintenance.purge-expired/run.requested', 'maintenance/purge-expired.requested'),
  ('dead-letters.purge-resolved/run.requested', 'dead-letters/purge-resolved.requested'),
  ('digest.weekly/run.requested', 'digest/weekly.requested'),
  ('dead-letters.stale-alert/run.requested', 'dead-letters/stale-alert.requested');

-- Every row, sent or not: a sent row may be relayed again by hand, and its name should be today's.
UPDATE "outbox_events" o SET "name" = r.new_name FROM event_renames r WHERE o."name" = r.old_name;

-- The letter's event name and the original event it keeps in its payload (which a Retry re-sends).
UPDATE "dead_letter_jobs" d SET "event_name" = r.new_name FROM event_renames r WHERE d."event_name" = r.old_name;
UPDATE "dead_letter_jobs" d SET "payload" = jsonb_set(d."payload", '{name}', to_jsonb(r.new_name))
  FROM event_renames r WHERE d."payload"->>'name' = r.old_name;

DROP TABLE event_renames;
