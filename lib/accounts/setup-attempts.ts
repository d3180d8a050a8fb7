import "server-only";
import { NonRetriableError } from "inngest";
import { db } from "@/lib/db";
import { isPaceWait } from "@/lib/email/pace";
import { logger } from "@/lib/logger";

/**
 * Retries of the welcome email and the avatar resize after a failed attempt: the functions'
 * `retries` setting, and the "of 5" the account page shows (attempts = retries + 1).
 */
export const SETUP_RETRIES = 4;
export const SETUP_MAX_ATTEMPTS = SETUP_RETRIES + 1;

export type SetupJob = "welcome-email" | "avatar";

/**
 * Runs one attempt of a step's work; when it fails and another attempt will follow, records how
 * many attempts have failed so far, so the account page can say "retrying (attempt 3 of 5)".
 * `attempt` is the SDK's zero-based `ctx.attempt` for this step. The count is written by the
 * function itself, in the app's own database (the executor's read API is not asked): it holds
 * with Inngest Cloud, a self-hosted Inngest or the bundled engine alike.
 */
export async function countingFailedAttempts<T>(job: SetupJob, userId: string, attempt: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A permanent failure has no next attempt: the function's onFailure marks it failed. A wait for
    // the provider's pace is no failure (the run sleeps, inngest/paced-step.ts).
    if (!(error instanceof NonRetriableError) && !isPaceWait(error) && attempt + 1 < SETUP_MAX_ATTEMPTS) {
      await recordFailedAttempt(job, userId, attempt + 1).catch((e: unknown) => logger.warn("could not record a failed attempt", { job, userId, error: e }));
    }
    throw error;
  }
}

/** Only while the job is still in flight; never lowers the count (a late write of an older attempt). */
export async function recordFailedAttempt(job: SetupJob, userId: string, failed: number): Promise<void> {
  if (job === "welcome-email") {
    await db.user.updateMany({ where: { id: userId, welcomeEmailStatus: "QUEUED", welcomeEmailFailedAttempts: { lt: failed } }, data: { welcomeEmailFailedAttempts: failed } });
  } else {
    await db.user.updateMany({ where: { id: userId, avatarStatus: "PROCESSING", avatarFailedAttempts: { lt: failed } }, data: { avatarFailedAttempts: failed } });
  }
}

/** What the account page says of a job still in flight: null before anything failed. */
export function retryingAttempt(failed: number): { attempt: number; of: number } | null {
  if (failed < 1 || failed >= SETUP_MAX_ATTEMPTS) return null;
  return { attempt: failed + 1, of: SETUP_MAX_ATTEMPTS };
}
