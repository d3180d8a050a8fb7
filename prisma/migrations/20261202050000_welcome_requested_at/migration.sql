-- When a welcome email was last asked for, so the admin overview can say how many wait and for how
-- long (under a burst they wait in the provider's pace, inside the executor, where the app cannot
-- count them). Welcome emails queued at the upgrade count their wait from the upgrade.
ALTER TABLE "users" ADD COLUMN "welcome_requested_at" TIMESTAMP(3);
UPDATE "users" SET "welcome_requested_at" = now() WHERE "email_verified_at" IS NOT NULL AND "welcome_email_status" = 'QUEUED';
CREATE INDEX "users_welcome_email_status_welcome_requested_at_idx" ON "users"("welcome_email_status", "welcome_requested_at");
