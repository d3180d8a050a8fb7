import { inngest } from "@/inngest/client";
import { onFailureRecordDeadLetter, originalEventData } from "@/inngest/dead-letter-hooks";
import { bulkActionRequested } from "@/inngest/events";
import { failBulkAction, processBulkBatch } from "@/lib/dead-letters/manage";
import { relayOutbox } from "@/lib/outbox/relay";

/**
 * Works through a confirmed bulk retry/resolve in batches of 100, one memoized step each, so a
 * crash resumes after the last finished batch and the admin sees progress as it goes.
 */
export const processBulkActionFn = inngest.createFunction(
  {
    id: "admin.dead-letters.bulk",
    name: "Dead letters: bulk action",
    triggers: [bulkActionRequested],
    retries: 3,
    idempotency: "event.data.bulkActionId",
    onFailure: onFailureRecordDeadLetter("Dead letters: bulk action", async (failed, step) => {
      const data = originalEventData(failed, bulkActionRequested.schema);
      const message = failed.error.message ?? "failed";
      if (data) await step.run("mark-failed", () => failBulkAction(data.bulkActionId, message));
    }),
  },
  async ({ event, step }) => {
    let afterId: string | null = null;
    for (let batch = 0; ; batch++) {
      const result: { nextAfterId: string | null; outboxIds: string[] } = await step.run(`batch-${batch}`, () => processBulkBatch(event.data.bulkActionId, afterId));
      if (result.outboxIds.length) await step.run(`relay-${batch}`, () => relayOutbox({ ids: result.outboxIds, limit: result.outboxIds.length }));
      if (!result.nextAfterId) return { batches: batch + 1 };
      afterId = result.nextAfterId;
    }
  },
);
