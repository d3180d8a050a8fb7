-- A dead letter's attempt count is read from the executor's record of the run. When that read
-- fails (executor unreachable, 401, the run unknown to it, an API that does not report attempts)
-- the count is unknown, stored as NULL rather than guessed as 1.
ALTER TABLE "dead_letter_jobs" ALTER COLUMN "attempts" DROP NOT NULL;
