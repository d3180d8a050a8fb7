import { inngest } from "@/inngest/client";
import { throttleFor } from "@/lib/email/pace";
import { pacedStep } from "@/inngest/paced-step";
import { onFailureRecordDeadLetter, originalEventData, resolveDeadLetterIfRetry } from "@/inngest/dead-letter-hooks";
import { userEmailVerified, userWelcomeEmailRequested } from "@/inngest/events";
import { countingFailedAttempts, SETUP_RETRIES } from "@/lib/accounts/setup-attempts";
import { loadWelcomeRecipient, markWelcomeEmailFailed, recordWelcomeDelivery, sendWelcomeEmail, WELCOME_FUNCTION_ID } from "@/lib/accounts/welcome-email";

/**
 * user/email.verified → one welcome email (never before the address is verified); also
 * user/welcome-email.requested, the person's "Send again" after a final failure. Three memoized
 * steps: a failure to record the delivery retries only the record, never the send; and if a crash
 * loses the send step's result, the resend carries the same idempotency key, so the provider
 * still sends once. Each failed attempt is counted for the account page ("retrying, attempt 3 of 5").
 */
export const sendWelcomeEmailFn = inngest.createFunction(
  {
    id: WELCOME_FUNCTION_ID,
    name: "Send welcome email",
    triggers: [userEmailVerified, userWelcomeEmailRequested],
    retries: SETUP_RETRIES,
    // The provider's pace (lib/email/pace.ts): runs start no faster than the transactional lane's rate.
    throttle: throttleFor("transactional"),
    // One run per user at a time: two runs cannot both pass the marker check and race.
    concurrency: { key: "event.data.userId", limit: 1 },
    onFailure: onFailureRecordDeadLetter("Send welcome email", async (failed, step) => {
      const data = originalEventData(failed, userEmailVerified.schema);
      if (data) await step.run("mark-failed", () => markWelcomeEmailFailed(data.userId));
    }),
  },
  async ({ event, step, runId, attempt }) => {
    const { userId } = event.data;
    const counted = <T>(work: () => Promise<T>) => countingFailedAttempts("welcome-email", userId, attempt, work);
    const recipient = await step.run("load-recipient", () => counted(() => loadWelcomeRecipient(userId)));
    if (recipient.status === "done") {
      await resolveDeadLetterIfRetry(step, event, runId);
      return { skipped: recipient.reason };
    }

    const { providerId } = await pacedStep(step, "send", () => counted(() => sendWelcomeEmail(userId, recipient)));
    await step.run("record-delivery", () => counted(() => recordWelcomeDelivery(userId, providerId)));
    await resolveDeadLetterIfRetry(step, event, runId);
    return { providerId };
  },
);
