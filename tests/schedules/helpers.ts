import { db } from "@/lib/db";
import { executorApi } from "@/lib/dead-letters/executor-api";
import type { Engine } from "@signup-jobs/engine";
import type { ScheduleDefinition } from "@/lib/schedules/definitions";
import { waitFor } from "@/tests/harness/wait";

/**
 * The executor's clock, set by the test (an injected clock: no real waiting for 02:00). Between
 * two `set`s it runs at real speed, so retry backoff (scaled to milliseconds) still comes due.
 */
export function fakeClock(startIso: string) {
  let base = Date.parse(startIso);
  let setAt = performance.now();
  return {
    now: () => base + Math.floor(performance.now() - setAt),
    set(iso: string) {
      base = Date.parse(iso);
      setAt = performance.now();
    },
  };
}

/** The function's id as the executor knows it (app id prefix). */
export const executorFnId = (schedule: Pick<ScheduleDefinition, "id">) => `signup-app-${schedule.id}`;

/** Runs of one function the executor has recorded, oldest first. */
export async function executorRuns(engine: Engine, schedule: Pick<ScheduleDefinition, "id">) {
  const response = await fetch(`${engine.url}/v1/runs?function_id=${encodeURIComponent(executorFnId(schedule))}&limit=100`);
  const body = (await response.json()) as { data: { run_id: string; event_id: string; status: string }[] };
  return body.data;
}

/** The finished run a cron tick (event id = its scheduled time) started for a schedule. */
export async function finishedTickRun(schedule: Pick<ScheduleDefinition, "id">, scheduledAt: string) {
  return waitFor(async () => {
    const runs = await executorApi.eventRuns(scheduledAt);
    return runs.find((r) => r.function_id === executorFnId(schedule) && ["Completed", "Failed", "Cancelled"].includes(r.status));
  }, `a finished ${schedule.id} run for the ${scheduledAt} tick`);
}

/** The finished run an event started for a function. */
export async function finishedEventRun(eventId: string, functionId: string) {
  return waitFor(async () => {
    const runs = await executorApi.eventRuns(eventId);
    return runs.find((r) => r.function_id === `signup-app-${functionId}` && ["Completed", "Failed", "Cancelled"].includes(r.status));
  }, `a finished ${functionId} run for event ${eventId}`);
}

/** The ScheduledRun row a run wrote, once it is no longer running. */
export async function settledScheduledRun(runId: string) {
  return waitFor(async () => {
    const row = await db.scheduledRun.findUnique({ where: { runId } });
    return row && row.outcome !== "running" ? row : null;
  }, `scheduled run ${runId} to settle`);
}

/** The digest test and the cron tests must not mail people other test files created. */
export async function optOutEveryone() {
  await db.user.updateMany({ data: { digestOptOut: true } });
}
