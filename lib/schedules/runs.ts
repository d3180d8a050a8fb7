import "server-only";
import { db } from "@/lib/db";

/** How long run records are kept; the latest run of every job is always kept. */
export const SCHEDULED_RUN_RETENTION_DAYS = 30;

export type RunTrigger = { kind: "cron" } | { kind: "manual"; requestedBy?: string };

export function describeTrigger(trigger: RunTrigger): string {
  return trigger.kind === "cron" ? "cron" : `manual${trigger.requestedBy ? `:${trigger.requestedBy}` : ""}`;
}

/** First step of every scheduled run. Idempotent: a repeated step finds the row by run id. */
export async function startScheduledRun(functionId: string, runId: string, trigger: RunTrigger): Promise<void> {
  await db.scheduledRun.upsert({
    where: { runId },
    create: { functionId, runId, trigger: describeTrigger(trigger) },
    update: {},
  });
}

export async function finishScheduledRun(runId: string, summary: string): Promise<void> {
  await db.scheduledRun.updateMany({ where: { runId }, data: { outcome: "succeeded", summary, finishedAt: new Date() } });
}

/** From the function's onFailure: the run gave up; the dead letter has the details. */
export async function failScheduledRun(runId: string, error: { name?: string; message?: string }): Promise<void> {
  const summary = `${error.name || "Error"}: ${error.message || "(no message)"}`.slice(0, 500);
  await db.scheduledRun.updateMany({ where: { runId, outcome: "running" }, data: { outcome: "failed", summary, finishedAt: new Date() } });
}

/** Deletes run records older than the retention, except each job's most recent one. */
export async function purgeOldScheduledRuns(now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - SCHEDULED_RUN_RETENTION_DAYS * 86_400_000);
  return db.$executeRaw`
    delete from scheduled_runs s
    where s.started_at < ${cutoff}
      and exists (select 1 from scheduled_runs n where n.function_id = s.function_id and n.started_at > s.started_at)`;
}
