-- The account page says "retrying (attempt 3 of 5)" while a background step retries: each failed
-- attempt of the welcome email and of the avatar resize is counted here by the function itself
-- (the SDK's ctx.attempt), and the count starts again when the person asks for another try.
ALTER TABLE "users" ADD COLUMN "welcome_email_failed_attempts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "users" ADD COLUMN "avatar_failed_attempts" INTEGER NOT NULL DEFAULT 0;
