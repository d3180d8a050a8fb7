import { cron } from "inngest";
import { inngest } from "@/inngest/client";
import { purgeExpiredRequested } from "@/inngest/events";
import { onScheduledRunFailure, trackScheduledRun } from "@/inngest/scheduled";
import { describePurge, purgeExpired } from "@/lib/accounts/purge";
import { SCHEDULES } from "@/lib/schedules/definitions";

const schedule = SCHEDULES.purgeExpired;

/** Nightly: expired sessions, ended rate-limit windows and old run records go. */
export const purgeExpiredFn = inngest.createFunction(
  {
    id: schedule.id,
    name: schedule.name,
    triggers: [cron(schedule.cron), purgeExpiredRequested],
    // A "run now" during the nightly run waits rather than racing it.
    concurrency: { limit: 1 },
    retries: 3,
    onFailure: onScheduledRunFailure(schedule.name),
  },
  async ({ event, step, runId }) =>
    trackScheduledRun({ event, step, runId }, schedule, async (now) => {
      const result = await step.run("purge", () => purgeExpired(now));
      return { ...result, summary: describePurge(result) };
    }),
);
