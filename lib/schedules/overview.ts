import "server-only";
import { db } from "@/lib/db";
import { nextRuns, parseCron, SCHEDULE_LIST } from "@/lib/schedules/definitions";

export type LastRun = {
  runId: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: "running" | "succeeded" | "failed" | string;
  summary: string | null;
};

export type ScheduleOverview = {
  id: string;
  name: string;
  description: string;
  cron: string;
  expression: string;
  timezone: string;
  /** ISO strings, UTC. */
  nextRuns: string[];
  lastRun: LastRun | null;
};

/** Each schedule as defined in lib/schedules/definitions.ts, with its next fire times and latest recorded run. */
export async function getScheduleOverview(now = new Date()): Promise<ScheduleOverview[]> {
  const ids = SCHEDULE_LIST.map((s) => s.id);
  // The newest row per job (index: function_id, started_at desc).
  const latest = await db.$queryRaw<{ function_id: string; run_id: string; trigger: string; started_at: Date; finished_at: Date | null; outcome: string; summary: string | null }[]>`
    select distinct on (function_id) function_id, run_id, trigger, started_at, finished_at, outcome, summary
    from scheduled_runs where function_id = any(${ids})
    order by function_id, started_at desc`;
  const byId = new Map(latest.map((r) => [r.function_id, r]));
  return SCHEDULE_LIST.map((schedule) => {
    const { timezone, expression } = parseCron(schedule.cron);
    const run = byId.get(schedule.id);
    return {
      id: schedule.id,
      name: schedule.name,
      description: schedule.description,
      cron: schedule.cron,
      expression,
      timezone,
      nextRuns: nextRuns(schedule.cron, now, 5).map((d) => d.toISOString()),
      lastRun: run
        ? {
            runId: run.run_id,
            trigger: run.trigger,
            startedAt: run.started_at.toISOString(),
            finishedAt: run.finished_at?.toISOString() ?? null,
            outcome: run.outcome,
            summary: run.summary,
          }
        : null,
    };
  });
}
