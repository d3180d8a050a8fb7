import { cron } from "inngest";
import { inngest } from "@/inngest/client";
import { digestEmailRequested, weeklyDigestRequested } from "@/inngest/events";
import { onScheduledRunFailure, trackScheduledRun } from "@/inngest/scheduled";
import { digestEventId, listDigestRecipients } from "@/lib/digest/sending";
import { isoWeek, SCHEDULES } from "@/lib/schedules/definitions";

const schedule = SCHEDULES.weeklyDigest;
const PAGE = 500;

/**
 * Mondays: one `digest/email.requested` event per member due this week's digest; each is its own
 * run (digest.send), so one bad address cannot hold up or fail the others. Idempotent three ways:
 * the listing skips members already sent this week's digest, each page is a memoized step, and the
 * event ids are derived from (week, user), so a repeated fan-out inside the executor's dedupe
 * window starts no new runs.
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
      let after: string | null = null;
      for (let page = 0; ; page++) {
        const cursor: string | null = after;
        const ids: string[] = await step.run(`list-recipients-${page}`, () => listDigestRecipients(week, { after: cursor, limit: PAGE }));
        if (ids.length) {
          await step.sendEvent(
            `fan-out-${page}`,
            ids.map((userId) => ({ id: digestEventId(week, userId), name: digestEmailRequested.name, data: { userId, week } })),
          );
        }
        queued += ids.length;
        if (ids.length < PAGE) break;
        after = ids.at(-1)!;
      }
      const summary = queued
        ? `Queued ${queued} digest${queued === 1 ? "" : "s"} for ${week}.`
        : `Queued no digests for ${week}: every subscribed member already has it.`;
      return { week, queued, summary };
    }),
);
