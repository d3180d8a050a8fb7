-- The welcome email now follows user/email.verified (user/account.created starts the
-- verification). Accounts from before are verified already, so what was still waiting for their
-- welcome email — an unsent outbox row, a dead letter a Retry re-sends — moves to the new event.
UPDATE "outbox_events" SET "name" = 'user/email.verified' WHERE "name" = 'user/account.created' AND "sent_at" IS NULL;
UPDATE "dead_letter_jobs" SET "event_name" = 'user/email.verified', "payload" = jsonb_set("payload", '{name}', '"user/email.verified"')
  WHERE "function_id" LIKE '%user.welcome-email' AND "event_name" = 'user/account.created';
