import { cron } from "inngest";
import { inngest } from "@/inngest/client";
import { throttleFor } from "@/lib/email/pace";
import { pacedStep } from "@/inngest/paced-step";
import { staleDeadLetterAlertRequested } from "@/inngest/events";
import { onScheduledRunFailure, trackScheduledRun } from "@/inngest/scheduled";
import { findStaleDeadLetters, listAdminsToAlert, recordAlertDelivery, sendDeadLetterAlert } from "@/lib/dead-letters/stale-alert";
import { SCHEDULES, utcDate } from "@/lib/schedules/definitions";

const schedule = SCHEDULES.staleDeadLetterAlert;
const s = (n: number) => (n === 1 ? "" : "s");

/**
 * Daily: if open dead letters older than 24 h exist, each admin gets one summary email per UTC day
 * (EmailDelivery marker `dead-letter-alert:<date>` + the provider's idempotency key), however many
 * times the function runs that day.
 */
export const alertStaleDeadLettersFn = inngest.createFunction(
  {
    id: schedule.id,
    name: schedule.name,
    triggers: [cron(schedule.cron), staleDeadLetterAlertRequested],
    concurrency: { limit: 1 },
    retries: 4,
    // The provider's pace (lib/email/pace.ts): runs start no faster than the transactional lane's rate.
    throttle: throttleFor("transactional"),
    onFailure: onScheduledRunFailure(schedule.name),
  },
  async ({ event, step, runId }) =>
    trackScheduledRun({ event, step, runId }, schedule, async (now) => {
      const date = utcDate(now);
      const stale = await step.run("find-stale", () => findStaleDeadLetters(now));
      if (!stale.total) return { alerted: 0, stale: 0, summary: "No open dead letters older than 24 hours; no alert sent." };

      const admins = await step.run("list-admins", () => listAdminsToAlert(date));
      for (const admin of admins) {
        const { providerId } = await pacedStep(step, `send-${admin.id}`, () => sendDeadLetterAlert(admin, date, stale));
        await step.run(`record-${admin.id}`, () => recordAlertDelivery(admin.id, date, providerId));
      }
      const what = `${stale.total} stale dead letter${s(stale.total)} in ${stale.groups.length} group${s(stale.groups.length)}`;
      const summary = admins.length
        ? `Alerted ${admins.length} admin${s(admins.length)} about ${what}.`
        : `${what}; every admin was already alerted today.`;
      return { alerted: admins.length, stale: stale.total, summary };
    }),
);
