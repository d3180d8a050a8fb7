import { inngest } from "@/inngest/client";
import { onFailureRecordDeadLetter, resolveDeadLetterIfRetry } from "@/inngest/dead-letter-hooks";
import { digestBatchRequested, digestEmailRequested } from "@/inngest/events";
import { freezeDigestBatch, recordDigestBatch, sendDigestBatch } from "@/lib/digest/batches";
import { throttleFor } from "@/lib/email/pace";

const NAME = "Send weekly digest batch";
const MEMBER_NAME = "Send weekly digest";
/** A batch waits in its step for its pacer slot at most this long; longer waits sleep in the executor. */
const MAX_INLINE_WAIT_MS = 3_000;

/**
 * One batch of ≤ 100 members → one request to the provider's batch endpoint, in the bulk share of
 * the rate (`throttle` on run starts, and the pacer at the moment of sending: when transactional
 * mail is queued the batch sleeps and tries again, so a sign-up's email is never stuck behind the
 * digest). Steps: freeze the recipients (once), send (the same emails and idempotency key on every
 * retry), record the markers and one dead letter per refused address.
 */
export const sendDigestBatchFn = inngest.createFunction(
  {
    id: "digest.send-batch",
    name: NAME,
    triggers: [digestBatchRequested],
    retries: 4,
    throttle: throttleFor("bulk"),
    // One run per batch at a time (a dead letter's Retry while the first run still goes).
    concurrency: { key: "event.data.batchId", limit: 1 },
    onFailure: onFailureRecordDeadLetter(NAME),
  },
  async ({ event, step, runId }) => {
    const { batchId } = event.data;
    const { week, recipients } = await step.run("freeze-recipients", () => freezeDigestBatch(batchId));
    let outcome: { sent: { userId: string; providerId: string }[]; rejected: { userId: string; email: string; error: string }[] } = { sent: [], rejected: [] };
    if (recipients > 0) {
      for (let attempt = 0; ; attempt++) {
        const result = await step.run(`send-${attempt}`, () => sendDigestBatch(batchId, { maxWaitMs: MAX_INLINE_WAIT_MS }));
        if (result.status === "sent") {
          outcome = result;
          break;
        }
        await step.sleep(`wait-for-slot-${attempt}`, `${Math.max(1, Math.ceil(result.retryInMs / 1000))}s`);
      }
    }
    // A refused member's dead letter is the member's digest (`digest.send`, which its Retry runs),
    // so the admin user page shows it with their digest.
    const recorded = await step.run("record", () =>
      recordDigestBatch(batchId, week, { functionId: `${inngest.id}-digest.send`, functionName: MEMBER_NAME, runId, eventName: digestEmailRequested.name }, outcome),
    );
    await resolveDeadLetterIfRetry(step, event, runId);
    return { batchId, week, sent: outcome.sent.length, refused: recorded.deadLetters };
  },
);
