-- An address verified by an operator (npm run admin:create, a new admin or a promoted account)
-- started nothing before 2026-12-02: no user/email.verified, so the account's welcome email showed
-- "Queued…" for ever. Queue it now for every account in that state — verified, welcome still
-- queued, none recorded, nothing unsent for it in the outbox. An account whose welcome email is in
-- flight anyway gets a second event, which is harmless: the delivery marker and the provider's
-- idempotency key send it once.
INSERT INTO "outbox_events" ("id", "name", "data")
SELECT gen_random_uuid(), 'user/email.verified', jsonb_build_object('userId', u."id")
  FROM "users" u
 WHERE u."email_verified_at" IS NOT NULL
   AND u."welcome_email_status" = 'QUEUED'
   AND NOT EXISTS (SELECT 1 FROM "email_deliveries" d WHERE d."user_id" = u."id" AND d."kind" = 'welcome')
   AND NOT EXISTS (SELECT 1 FROM "outbox_events" o WHERE o."sent_at" IS NULL AND o."data"->>'userId' = u."id"::text);
