import { cron } from "inngest";
import { inngest } from "@/inngest/client";
import { purgeResolvedDeadLettersRequested } from "@/inngest/events";
import { onScheduledRunFailure, trackScheduledRun } from "@/inngest/scheduled";
import { env } from "@/lib/env";
import { purgeResolvedDeadLetters } from "@/lib/dead-letters/retention";
import { SCHEDULES } from "@/lib/schedules/definitions";

const schedule = SCHEDULES.purgeResolvedDeadLetters;

/** Nightly: resolved dead letters past the retention period (DEAD_LETTER_RETENTION_DAYS) go. */
export const purgeResolvedDeadLettersFn = inngest.createFunction(
  {
    id: schedule.id,
    name: schedule.name,
    triggers: [cron(schedule.cron), purgeResolvedDeadLettersRequested],
    concurrency: { limit: 1 },
    retries: 3,
    onFailure: onScheduledRunFailure(schedule.name),
  },
  async ({ event, step, runId }) =>
    trackScheduledRun({ event, step, runId }, schedule, async (now) => {
      const days = env.DEAD_LETTER_RETENTION_DAYS;
      const { deleted } = await step.run("purge", () => purgeResolvedDeadLetters(now, days));
      return { deleted, summary: `Purged ${deleted} resolved dead letter${deleted === 1 ? "" : "s"} older than ${days} days.` };
    }),
);
