import { inngest } from "@/inngest/client";
import { throttleFor } from "@/lib/email/pace";
import { pacedStep } from "@/inngest/paced-step";
import { onFailureRecordDeadLetter, resolveDeadLetterIfRetry } from "@/inngest/dead-letter-hooks";
import { digestEmailRequested } from "@/inngest/events";
import { loadDigestRecipient, recordDigestDelivery, sendDigestEmail } from "@/lib/digest/sending";

/**
 * One member's weekly digest. Same shape as the welcome email: the EmailDelivery marker
 * (`digest:<week>`) decides, the provider's idempotency key covers a lost send result, and recording
 * is its own step so a failed record never re-sends.
 */
export const sendDigestFn = inngest.createFunction(
  {
    id: "digest.send",
    name: "Send weekly digest",
    triggers: [digestEmailRequested],
    retries: 4,
    // The provider's pace (lib/email/pace.ts): runs start no faster than the bulk lane's rate.
    throttle: throttleFor("bulk"),
    // Per member one at a time (no two runs pass the marker check together); a few at once overall.
    concurrency: [{ key: "event.data.userId", limit: 1 }, { limit: 5 }],
    onFailure: onFailureRecordDeadLetter("Send weekly digest"),
  },
  async ({ event, step, runId }) => {
    const { userId, week } = event.data;
    const recipient = await step.run("load-recipient", () => loadDigestRecipient(userId, week));
    if (recipient.status === "done") {
      await resolveDeadLetterIfRetry(step, event, runId);
      return { skipped: recipient.reason };
    }
    const { providerId } = await pacedStep(step, "send", () => sendDigestEmail(userId, week, recipient));
    await step.run("record-delivery", () => recordDigestDelivery(userId, week, providerId));
    await resolveDeadLetterIfRetry(step, event, runId);
    return { providerId };
  },
);
