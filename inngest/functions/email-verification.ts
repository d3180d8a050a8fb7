import { inngest } from "@/inngest/client";
import { isPaceWait, throttleFor } from "@/lib/email/pace";
import { pacedStep } from "@/inngest/paced-step";
import { onFailureRecordDeadLetter, originalEventData, resolveDeadLetterIfRetry } from "@/inngest/dead-letter-hooks";
import { userAccountCreated, userEmailVerified } from "@/inngest/events";
import { env } from "@/lib/env";
import { markAttempt } from "@/lib/accounts/sign-up-attempts";
import { deleteUnverifiedAccount, issueVerificationLink, loadVerificationTarget, sendVerificationEmail, verificationState } from "@/lib/accounts/verification";

/**
 * user/account.created → the life of an unverified account: the verification email; a wait for
 * `user/email.verified` (VERIFICATION_REMINDER_HOURS); one reminder with a fresh link; a second
 * wait until UNVERIFIED_ACCOUNT_DAYS after sign-up; then the account and its uploads are deleted.
 * No timer in the app: the executor holds the waits. A wait only sees events sent after it began,
 * so when one times out the database decides (the person may have clicked before it began).
 * Every step is idempotent: links are rows issued once per step (memoized), each email's
 * idempotency key is its link's id, and the deletion keeps verified accounts and repeats safely.
 */
export const emailVerificationFn = inngest.createFunction(
  {
    id: "user.email-verification",
    name: "Verify email",
    triggers: [userAccountCreated],
    retries: 4,
    // The provider's pace (lib/email/pace.ts): runs start no faster than the transactional lane's rate.
    throttle: throttleFor("transactional"),
    onFailure: onFailureRecordDeadLetter("Verify email", async (failed, step) => {
      const data = originalEventData(failed, userAccountCreated.schema);
      if (data?.attemptId) await step.run("mark-attempt-failed", () => markAttempt(data.attemptId, "FAILED"));
    }),
  },
  async ({ event, step, runId }) => {
    const { userId, attemptId } = event.data;

    const target = await step.run("load-account", () => loadVerificationTarget(userId));
    if (target.status === "done") {
      await step.run("settle-attempt", () => markAttempt(attemptId, "SENT"));
      await resolveDeadLetterIfRetry(step, event, runId);
      return { outcome: target.reason };
    }
    const link = await step.run("issue-link", () => issueVerificationLink(userId));
    await pacedStep(step, "send-verification", async () => {
      try {
        const sent = await sendVerificationEmail(target.email, link, "first");
        await markAttempt(attemptId, "SENT");
        return sent;
      } catch (error) {
        if (!isPaceWait(error)) await markAttempt(attemptId, "RETRYING");
        throw error;
      }
    });
    await resolveDeadLetterIfRetry(step, event, runId);

    const reminderHours = env.VERIFICATION_REMINDER_HOURS;
    const verified = await step.waitForEvent("wait-for-verification", { event: userEmailVerified, timeout: `${reminderHours}h`, match: "data.userId" });
    if (verified) return { outcome: "verified" };
    if ((await step.run("check-before-reminder", () => verificationState(userId))) !== "unverified") return { outcome: "verified or gone before the reminder" };

    const reminder = await step.run("issue-reminder-link", () => issueVerificationLink(userId));
    await pacedStep(step, "send-reminder", () => sendVerificationEmail(target.email, reminder, "reminder"));

    const remainingHours = Math.max(1, env.UNVERIFIED_ACCOUNT_DAYS * 24 - reminderHours);
    const late = await step.waitForEvent("wait-before-deletion", { event: userEmailVerified, timeout: `${remainingHours}h`, match: "data.userId" });
    if (late) return { outcome: "verified after the reminder" };
    const { deleted } = await step.run("delete-if-unverified", () => deleteUnverifiedAccount(userId));
    return { outcome: deleted ? "deleted, never verified" : "verified or gone before the deletion" };
  },
);
