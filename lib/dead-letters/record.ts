import "server-only";
import { audit } from "@/lib/audit/audit-log";
import { db } from "@/lib/db";
import { z } from "zod";
import type { Subject } from "@/lib/dead-letters/subject";

export type FailedRun = {
  functionId: string;
  functionName: string;
  runId: string;
  event: { name: string; id?: string; data?: unknown; ts?: number };
  error: { name?: string; message?: string; stack?: string };
  /** Attempts this run made before giving up; null when the executor's record could not be read. */
  attempts: number | null;
  failedAt: Date;
  /** Who or what the run was about (see subject.ts); kept from the first failure on a retry. */
  subject?: Subject;
};

export type HistoryEntry = { runId: string; at: string; attempts: number | null; errorName: string; errorMessage: string };

const retryMarker = z.object({ deadLetterId: z.uuid() });

/** A retry re-sends the original event with the letter's id in `data.deadLetterId`. */
export function deadLetterIdOf(event: { data?: unknown }): string | null {
  const parsed = retryMarker.safeParse(event.data);
  return parsed.success ? parsed.data.deadLetterId : null;
}

/**
 * Writes the dead letter for a run that failed for good. Idempotent: a duplicate failure event for
 * the same run changes nothing; a retry's run that fails again updates the letter it came from
 * (history and attempts grow, status back to open) instead of making a new one. The letter's total
 * is unknown (null) once any of its runs' counts is.
 */
export async function recordDeadLetter(failure: FailedRun): Promise<{ id: string; created: boolean }> {
  const errorName = (failure.error.name || "Error").slice(0, 200);
  const errorMessage = (failure.error.message || "(no message)").slice(0, 4000);
  const errorStack = failure.error.stack?.slice(0, 20_000) ?? null;
  const entry: HistoryEntry = { runId: failure.runId, at: failure.failedAt.toISOString(), attempts: failure.attempts, errorName, errorMessage };

  const retryOf = deadLetterIdOf(failure.event);
  if (retryOf) {
    const updated = await db.$queryRaw<{ id: string }[]>`
      update dead_letter_jobs set
        status = case when status = 'RESOLVED' then status else 'OPEN'::"DeadLetterStatus" end,
        last_run_id = ${failure.runId},
        error_name = ${errorName}, error_message = ${errorMessage}, error_stack = ${errorStack},
        attempts = attempts + ${failure.attempts}::int,
        history = history || ${JSON.stringify([entry])}::jsonb,
        last_failed_at = ${failure.failedAt},
        updated_at = now()
      where id = ${retryOf}::uuid
        and not history @> ${JSON.stringify([{ runId: failure.runId }])}::jsonb
      returning id`;
    if (updated[0]) return { id: updated[0].id, created: false };
    const existing = await db.deadLetterJob.findUnique({ where: { id: retryOf }, select: { id: true } });
    if (existing) return { id: existing.id, created: false };
    // The letter was deleted (retention) while its retry ran: record the failure afresh.
  }

  const originalData = retryOf ? withoutMarker(failure.event.data) : failure.event.data;
  const inserted = await db.$queryRaw<{ id: string }[]>`
    insert into dead_letter_jobs (
      id, function_id, function_name, run_id, last_run_id, event_name, event_id, payload,
      error_name, error_message, error_stack, attempts, history, first_failed_at, last_failed_at, status, updated_at,
      subject_user_id, subject_email, subject_name, subject_label)
    values (
      gen_random_uuid(), ${failure.functionId}, ${failure.functionName}, ${failure.runId}, ${failure.runId},
      ${failure.event.name}, ${failure.event.id ?? null},
      ${JSON.stringify({ name: failure.event.name, id: failure.event.id ?? null, ts: failure.event.ts ?? null, data: originalData ?? {} })}::jsonb,
      ${errorName}, ${errorMessage}, ${errorStack}, ${failure.attempts}::int, ${JSON.stringify([entry])}::jsonb,
      ${failure.failedAt}, ${failure.failedAt}, 'OPEN', now(),
      ${failure.subject?.userId ?? null}::uuid, ${failure.subject?.email ?? null}, ${failure.subject?.name ?? null}, ${failure.subject?.label ?? null})
    on conflict (run_id) do nothing
    returning id`;
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const existing = await db.deadLetterJob.findUniqueOrThrow({ where: { runId: failure.runId }, select: { id: true } });
  return { id: existing.id, created: false };
}

function withoutMarker(data: unknown): unknown {
  if (!data || typeof data !== "object") return data;
  const { deadLetterId: _omit, ...rest } = data as Record<string, unknown>;
  return rest;
}

/**
 * Called when a run that carried a retry marker succeeds: the letter is resolved "by retry".
 * Only a letter that is waiting on a retry changes; one an admin resolved meanwhile keeps its note.
 */
export async function resolveByRetry(deadLetterId: string, runId: string): Promise<boolean> {
  const { count } = await db.deadLetterJob.updateMany({
    where: { id: deadLetterId, status: { not: "RESOLVED" } },
    data: { status: "RESOLVED", resolvedAt: new Date(), resolvedBy: "retry", resolutionNote: `Retry run ${runId} succeeded.` },
  });
  if (count) {
    await audit({ actor: "system", action: "dead_letter.auto_resolved", targetType: "dead_letter", targetId: deadLetterId, note: `Retry run ${runId} succeeded.`, details: { runId } });
  }
  return count > 0;
}
