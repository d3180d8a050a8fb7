import { cron } from "inngest";
import { inngest } from "@/inngest/client";
import { digestBatchRequested, weeklyDigestRequested } from "@/inngest/events";
import { onScheduledRunFailure, trackScheduledRun } from "@/inngest/scheduled";
import { DIGEST_PLAN_PAGE, digestBatchEventId, planDigestPage } from "@/lib/digest/batches";
import { isoWeek, SCHEDULES } from "@/lib/schedules/definitions";

const schedule = SCHEDULES.weeklyDigest;
const s = (n: number) => (n === 1 ? "" : "s");

/**
 * Mondays: plans this week's digest in batches of ≤ 100 members (lib/digest/batches.ts) and sends
 * one `digest/batch.requested` per batch; digest.send-batch sends each in one provider request.
 * Idempotent: a member is planned into one batch per week at most (a second run plans only who is
 * left), a retried planning step gets its own batches back, and the event ids are the batch ids, so a
 * repeated fan-out starts no new runs.
 */
export const weeklyDigestFn = inngest.createFunction(
  {
    id: schedule.id,
    name: schedule.name,
    triggers: [cron(schedule.cron), weeklyDigestRequested],
    concurrency: { limit: 1 },
    retries: 3,
    onFailure: onScheduledRunFailure(schedule.name),
  },
  async ({ event, step, runId }) =>
    trackScheduledRun({ event, step, runId }, schedule, async (now) => {
      const week = isoWeek(now);
      let queued = 0;
      let batches = 0;
      for (let page = 0; ; page++) {
        const planned = await step.run(`plan-${page}`, () => planDigestPage(week, runId, page));
        if (planned.batchIds.length) {
          await step.sendEvent(
            `fan-out-${page}`,
            planned.batchIds.map((batchId) => ({ id: digestBatchEventId(batchId), name: digestBatchRequested.name, data: { batchId, week } })),
          );
        }
        queued += planned.members;
        batches += planned.batchIds.length;
        if (planned.listed < DIGEST_PLAN_PAGE) break;
      }
      const summary = queued
        ? `Queued ${queued} digest${s(queued)} for ${week} in ${batches} batch${batches === 1 ? "" : "es"}.`
        : `Queued no digests for ${week}: every subscribed member already has it.`;
      return { week, queued, batches, summary };
    }),
);
