// SQL for a run's state: loading what a request needs, memoising step results, recording attempts,
// and the terminal row update. Writes take the caller's transaction, which has already locked the
// run (see writeback.ts); the lifecycle events a run emits when it ends are in events.ts.
import type { Ctx } from "./context";
import { iso, type Tx } from "./db";
import type { EventPayload, QueueItem, RunState } from "./types";

export type { RunState } from "./types";

export const TERMINAL = new Set(["completed", "failed", "cancelled", "skipped"]);
/** TERMINAL as an SQL list, for `status not in (…)`. */
export const TERMINAL_SQL = [...TERMINAL].map((s) => `'${s}'`).join(", ");

/**
 * One round trip: marks the run started (first call only) and loads what the request needs. On the
 * async-commit pool: a lost "started" mark is simply set again by the next call.
 */
export async function loadRun(ctx: Ctx, runId: string): Promise<(RunState & { started: boolean }) | undefined> {
  const res = await ctx.lightDb.query<RunState & { started: boolean }>(
    `with started as (update runs set status = 'running', started_at = $2 where id = $1 and status = 'queued' returning id)
     select r.function_id, r.status, r.version, r.force_plan, e.payload, exists (select 1 from started) as started,
            r.created_at, coalesce(r.started_at, (select $2::timestamptz from started)) as started_at,
            coalesce((select json_agg(json_build_array(s.step_id, s.result) order by s.seq) from steps s where s.run_id = r.id), '[]') as steps
       from runs r join events e on e.internal_id = r.event_id where r.id = $1`,
    [runId, iso(ctx.clock())],
  );
  return res.rows[0];
}

/** Drops a claimed item whose run is gone or finished. */
export async function dropItem(ctx: Ctx, item: QueueItem): Promise<void> {
  await ctx.db.query("delete from queue where id = $1 and lease_token = $2", [item.id, item.lease_token]);
}

export async function recordAttempt(
  tx: Tx,
  ctx: Ctx,
  item: QueueItem,
  a: {
    stepId: string;
    name?: string | null;
    outcome: string;
    status?: number | null;
    error?: unknown;
    retryAt?: number;
    startedAt: number;
    /** The instant a retry or wake-up was computed from, so retry_at − ended_at is the delay. */
    endedAt?: number;
  },
) {
  await tx.query(
    `insert into attempts (run_id, step_id, step_name, attempt, outcome, status_code, error, retry_at, started_at, ended_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      item.run_id,
      a.stepId,
      a.name ?? null,
      item.attempt,
      a.outcome,
      a.status ?? null,
      a.error === undefined ? null : JSON.stringify(a.error),
      a.retryAt === undefined ? null : iso(a.retryAt),
      iso(a.startedAt),
      iso(a.endedAt ?? ctx.clock()),
    ],
  );
}

/** The common path in one round trip: memoise the result and record the successful attempt. */
export async function saveStepOk(
  tx: Tx,
  ctx: Ctx,
  item: QueueItem,
  stepId: string,
  name: string | null,
  op: string,
  result: unknown,
  status: number,
  startedAt: number,
) {
  const now = iso(ctx.clock());
  await tx.query(
    `with s as (insert into steps (run_id, step_id, name, op, result, created_at) values ($1, $2, $3, $4, $5, $6)
                on conflict (run_id, step_id) do nothing)
     insert into attempts (run_id, step_id, step_name, attempt, outcome, status_code, started_at, ended_at)
     values ($1, $2, $3, $7, 'ok', $8, $9, $6)`,
    [item.run_id, stepId, name, op, JSON.stringify(result), now, item.attempt, status, iso(startedAt)],
  );
}

export async function saveStep(tx: Tx, ctx: Ctx, runId: string, stepId: string, name: string | null, op: string, result: unknown) {
  // First result wins: a step re-run after a lost lease never replaces what was recorded.
  await tx.query(
    `insert into steps (run_id, step_id, name, op, result, created_at) values ($1, $2, $3, $4, $5, $6)
     on conflict (run_id, step_id) do nothing`,
    [runId, stepId, name, op, JSON.stringify(result), iso(ctx.clock())],
  );
}

/** A row for an attempt-like event that is not an HTTP attempt (a wait resumed, a timeout). */
export async function recordEvent(
  tx: Tx,
  ctx: Ctx,
  runId: string,
  stepId: string,
  name: string | null,
  outcome: string,
  error?: unknown,
) {
  const now = iso(ctx.clock());
  await tx.query(
    `insert into attempts (run_id, step_id, step_name, attempt, outcome, error, started_at, ended_at) values ($1, $2, $3, 0, $4, $5, $6, $6)`,
    [runId, stepId, name, outcome, error === undefined ? null : JSON.stringify(error), now],
  );
}

export type EndedRun = { id: string; function_id: string; payload: EventPayload };

/**
 * Marks a run that has not ended yet completed, failed or cancelled, and removes its pending work
 * and waits. Items in flight keep their rows: their write-back finds the run ended and drops the
 * result. Returns null when the run had already ended. The caller emits the lifecycle events.
 */
export async function endRun(
  ctx: Ctx,
  tx: Tx,
  runId: string,
  status: "completed" | "failed" | "cancelled",
  out: { output?: unknown; error?: unknown },
): Promise<EndedRun | null> {
  const res = await tx.query<EndedRun>(
    `with r as (
       update runs set status = $2, output = $3, error = $4, ended_at = $5
        where id = $1 and status not in (${TERMINAL_SQL})
        returning id, function_id, event_id)
     select r.id, r.function_id, e.payload from r join events e on e.internal_id = r.event_id`,
    [runId, status, status === "completed" ? JSON.stringify(out.output ?? null) : null, out.error === undefined ? null : JSON.stringify(out.error), iso(ctx.clock())],
  );
  const ended = res.rows[0];
  if (!ended) return null;
  await tx.query(
    status === "cancelled"
      ? "delete from queue where run_id = $1 and (state = 'queued' or kind = 'deadline')"
      : "delete from queue where run_id = $1",
    [runId],
  );
  await tx.query("delete from pauses where run_id = $1", [runId]);
  return ended;
}
