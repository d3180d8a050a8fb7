import { inngest } from "@/inngest/client";
import { isPaceWait, throttleFor } from "@/lib/email/pace";
import { pacedStep } from "@/inngest/paced-step";
import { onFailureRecordDeadLetter, originalEventData, resolveDeadLetterIfRetry } from "@/inngest/dead-letter-hooks";
import { userSignUpRepeated, userVerificationEmailRequested } from "@/inngest/events";
import { markAttempt } from "@/lib/accounts/sign-up-attempts";
import { planSignUpEmail, recordSignUpNotice, sendSignUpNotice } from "@/lib/accounts/sign-up-email";
import { sendVerificationEmail } from "@/lib/accounts/verification";

/**
 * A repeated sign-up, or "send the link again" → whatever that address should get (a notice once a
 * day to a verified owner, a fresh link to an unverified one, nothing to an address without an
 * account), then the attempt the person watches is marked sent — also when nothing was sent, so
 * the page cannot tell the cases apart.
 */
export const sendSignUpEmailFn = inngest.createFunction(
  {
    id: "user.sign-up-email",
    name: "Send sign-up email",
    triggers: [userSignUpRepeated, userVerificationEmailRequested],
    retries: 4,
    // The provider's pace (lib/email/pace.ts): runs start no faster than the transactional lane's rate.
    throttle: throttleFor("transactional"),
    // One at a time per address: two repeats on one day cannot both pass the notice marker.
    concurrency: { key: "event.data.email", limit: 1 },
    onFailure: onFailureRecordDeadLetter("Send sign-up email", async (failed, step) => {
      const data = originalEventData(failed, userSignUpRepeated.schema);
      if (data) await step.run("mark-attempt-failed", () => markAttempt(data.attemptId, "FAILED"));
    }),
  },
  async ({ event, step, runId }) => {
    const { attemptId } = event.data;
    const trigger = event.name === userVerificationEmailRequested.name ? "resend" : "repeated-sign-up";
    const now = new Date(typeof event.ts === "number" && event.ts > 0 ? event.ts : Date.now());
    const plan = await step.run("plan", () => planSignUpEmail(attemptId, trigger, now));

    const sendOrRetry = async <T>(send: () => Promise<T>): Promise<T> => {
      try {
        return await send();
      } catch (error) {
        if (!isPaceWait(error)) await markAttempt(attemptId, "RETRYING");
        throw error;
      }
    };
    if (plan.kind === "verification") {
      await pacedStep(step, "send-verification", () => sendOrRetry(() => sendVerificationEmail(plan.email, plan.link, "again")));
    } else if (plan.kind === "notice") {
      const { providerId } = await pacedStep(step, "send-notice", () => sendOrRetry(() => sendSignUpNotice(plan)));
      await step.run("record-notice", () => recordSignUpNotice(plan, providerId));
    }
    await step.run("mark-attempt-sent", () => markAttempt(attemptId, "SENT"));
    await resolveDeadLetterIfRetry(step, event, runId);
    return { sent: plan.kind, ...(plan.kind === "none" ? { reason: plan.reason } : {}) };
  },
);
