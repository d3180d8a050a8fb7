// Shared by every scheduled function: one ScheduledRun row per run (what the Schedules page shows),
// the run's notion of "now", and the failure path that closes the row.
import { onFailureRecordDeadLetter, resolveDeadLetterIfRetry, type StepRunner } from "@/inngest/dead-letter-hooks";
import type { ScheduleDefinition } from "@/lib/schedules/definitions";
import { failScheduledRun, finishScheduledRun, startScheduledRun, type RunTrigger } from "@/lib/schedules/runs";

type RunEvent = { name: string; ts?: number; data?: unknown };

/**
 * The moment a run works on: its event's timestamp — the scheduled time for a cron tick, the send
 * time for "run now". A retried or late run still purges, counts and dedupes as of that moment
 * (and tests drive it with the executor's injected clock).
 */
export function runTimeOf(event: RunEvent): Date {
  return new Date(typeof event.ts === "number" && event.ts > 0 ? event.ts : Date.now());
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
