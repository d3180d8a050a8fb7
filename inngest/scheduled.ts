// Shared by every scheduled function: one ScheduledRun row per run (what the Schedules page shows),
// the run's notion of "now", and the failure path that closes the row.
import { NonRetriableError } from "inngest";
import { onFailureRecordDeadLetter, resolveDeadLetterIfRetry, type StepRunner } from "@/inngest/dead-letter-hooks";
import type { ScheduleDefinition } from "@/lib/schedules/definitions";
import { failScheduledRun, finishScheduledRun, startScheduledRun, type RunTrigger } from "@/lib/schedules/runs";


type RunEvent = { name: string; ts?: number; data?: unknown };

/** How far ahead of this server's clock an event may be stamped: ordinary clock skew. */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** Nothing this app schedules predates it. */
const EARLIEST = Date.parse("2020-01-01T00:00:00Z");

/**
 * The moment a run works on: its event's timestamp — the scheduled time for a cron tick, the send
 * time for "run now" — so a retried or late run still purges, counts and dedupes as of that moment
 * (and tests drive it with the executor's injected clock). But never later than this server's
 * clock: `ts` is chosen by whoever sends the event, and a far-future one would otherwise purge
 * every session and dead letter. A stamp a little ahead (clock skew) counts as now; one beyond
 * that, or unreadable, is refused — the run fails at once with a message that says why.
 */
export function runTimeOf(event: RunEvent, serverNow = Date.now()): Date {
  const ts = event.ts;
  if (ts === undefined) return new Date(serverNow);
  if (typeof ts !== "number" || !Number.isFinite(ts) || ts < EARLIEST || ts > serverNow + MAX_FUTURE_SKEW_MS) {
    throw new NonRetriableError(
      `Refusing to run "${event.name}" as of ${describeTs(ts)}: its timestamp is not plausible (this server's clock reads ${new Date(serverNow).toISOString()}).`,
    );
  }
  return new Date(Math.min(ts, serverNow));
}

function describeTs(ts: unknown): string {
  return typeof ts === "number" && Number.isFinite(ts) && Math.abs(ts) < 8.64e15 ? new Date(ts).toISOString() : JSON.stringify(ts);
}

export function triggerOf(event: RunEvent): RunTrigger {
  if (event.name === "inngest/scheduled.timer") return { kind: "cron" };
  const requestedBy = (event.data as { requestedBy?: unknown } | undefined)?.requestedBy;
  return { kind: "manual", requestedBy: typeof requestedBy === "string" ? requestedBy : undefined };
}

/** Records the run around `work`, whose result carries the one-line summary for the page. */
export async function trackScheduledRun<T extends { summary: string }>(
  ctx: { event: RunEvent; step: StepRunner; runId: string },
  schedule: Pick<ScheduleDefinition, "id">,
  work: (now: Date) => Promise<T>,
): Promise<T> {
  const { event, step, runId } = ctx;
  await step.run("record-start", () => startScheduledRun(schedule.id, runId, triggerOf(event)));
  const result = await work(runTimeOf(event));
  await step.run("record-finish", () => finishScheduledRun(runId, result.summary));
  await resolveDeadLetterIfRetry(step, event, runId);
  return result;
}

/** onFailure for a scheduled function: the dead letter, then the run's row marked failed. */
export function onScheduledRunFailure(functionName: string) {
  return onFailureRecordDeadLetter(functionName, async (failed, step) => {
    await step.run("mark-run-failed", () => failScheduledRun(failed.run_id, failed.error));
  });
}
