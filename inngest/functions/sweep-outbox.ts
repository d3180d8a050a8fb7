import { cron } from "inngest";
import { inngest } from "@/inngest/client";
import { outboxSweepRequested } from "@/inngest/events";
import { onScheduledRunFailure, trackScheduledRun } from "@/inngest/scheduled";
import { env } from "@/lib/env";
import { RELAY_BATCH, relayOutbox } from "@/lib/outbox/relay";
import { SCHEDULES } from "@/lib/schedules/definitions";

const schedule = SCHEDULES.outboxSweep;

/**
 * Every minute (UTC), re-sends outbox rows the post-response relay did not get out (executor down,
 * process killed). Rows younger than OUTBOX_SWEEP_AFTER_MS are left to that relay.
 */
export const sweepOutboxFn = inngest.createFunction(
  {
    id: schedule.id,
    name: schedule.name,
    triggers: [cron(schedule.cron), outboxSweepRequested],
    concurrency: { limit: 1 },
    onFailure: onScheduledRunFailure(schedule.name),
  },
  async ({ event, step, runId }) =>
    trackScheduledRun({ event, step, runId }, schedule, async () => {
      let total = 0;
      // Bounded: a huge backlog is drained over several ticks rather than in one long run.
      for (let batch = 0; batch < RELAY_BATCH.perPass; batch++) {
        const { sent, failed } = await step.run(`relay-${batch}`, () => relayOutbox({ olderThanMs: env.OUTBOX_SWEEP_AFTER_MS, limit: RELAY_BATCH.size }));
        total += sent;
        if (failed) throw new Error(`Could not relay ${failed} outbox events`);
        if (sent < RELAY_BATCH.size) break;
      }
      return { sent: total, summary: `Re-sent ${total} outbox event${total === 1 ? "" : "s"}.` };
    }),
);
