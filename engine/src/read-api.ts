// Operator read API, in the shape of Inngest's REST API (`{data, metadata}` envelopes, PascalCase
// run statuses), extended with steps and attempts so a dashboard can draw a run's timeline.
import type { Ctx } from "./context";
import { iso, withTx } from "./db";
import { cancelRun as cancel } from "./events";
import { TERMINAL } from "./run-store";

/** Inngest's names for run statuses (the REST API and the UI say them this way). */
export const STATUS: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
  skipped: "Skipped", // rateLimit (flow-control/rate-limit.ts)
};

/** A run as stored (the columns of RUN_COLUMNS); the UI reads the same rows. */
export type RunRow = {
  id: string;
  function_id: string;
  event_id: string;
  status: string;
  output: unknown;
  error: unknown;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  skip_reason?: string | null;
};

/** A recorded step (memoized result), as this API and the UI read it. */
export type StepRow = { step_id: string; name: string | null; op: string; result: unknown; created_at: Date };

/** One attempt of a step (or of the run's request), as this API and the UI read it. */
export type AttemptRow = {
  step_id: string;
  step_name: string | null;
  attempt: number;
  outcome: string;
  status_code: number | null;
  error: unknown;
  retry_at: Date | null;
  started_at: Date;
  ended_at: Date;
};

/** A run's recorded steps, in the order they were recorded. */
export async function runSteps(ctx: Ctx, runId: string): Promise<StepRow[]> {
  return (await ctx.db.query<StepRow>("select step_id, name, op, result, created_at from steps where run_id = $1 order by seq", [runId])).rows;
}

/** A run's attempts, in the order they ended. */
export async function runAttempts(ctx: Ctx, runId: string): Promise<AttemptRow[]> {
  return (
    await ctx.db.query<AttemptRow>(
      "select step_id, step_name, attempt, outcome, status_code, error, retry_at, started_at, ended_at from attempts where run_id = $1 order by id",
      [runId],
    )
  ).rows;
}

const RUN_COLUMNS = "id, function_id, event_id, status, output, error, created_at, started_at, ended_at, skip_reason";

export function runSummary(r: RunRow) {
  return {
    run_id: r.id,
    function_id: r.function_id,
    event_id: r.event_id,
    status: STATUS[r.status] ?? r.status,
    queued_at: r.created_at.toISOString(),
    run_started_at: r.started_at?.toISOString() ?? null,
    ended_at: r.ended_at?.toISOString() ?? null,
    output: r.status === "failed" ? (r.error ?? null) : (r.output ?? null),
    ...(r.skip_reason ? { skip_reason: r.skip_reason } : {}),
  };
}

const meta = (ctx: Ctx) => ({ fetched_at: iso(ctx.clock()), cached_until: null });

export async function eventRuns(ctx: Ctx, eventId: string) {
  const rows = await ctx.db.query<RunRow>(
    `with ev as (select internal_id from events where internal_id = $1 or id = $1),
          ids as (select id from runs where event_id in (select internal_id from ev)
                  union -- a batch run, for every event of its batch (flow-control/batch.ts)
                  select b.run_id from flow_batch_events be join flow_batches b on b.id = be.batch_id
                   where be.event_id in (select internal_id from ev) and b.run_id is not null)
     select ${RUN_COLUMNS} from runs where id in (select id from ids) order by created_at, id`,
    [eventId],
  );
  return { data: rows.rows.map(runSummary), metadata: meta(ctx) };
}

export async function getEvent(ctx: Ctx, eventId: string) {
  const rows = await ctx.db.query<{ internal_id: string; payload: Record<string, unknown>; received_at: Date }>(
    "select internal_id, payload, received_at from events where internal_id = $1 or id = $1 order by received_at desc limit 1",
    [eventId],
  );
  const r = rows.rows[0];
  if (!r) return null;
  return { data: { internal_id: r.internal_id, ...r.payload, received_at: r.received_at.toISOString() }, metadata: meta(ctx) };
}

export async function listEvents(ctx: Ctx, q: URLSearchParams) {
  const limit = clampLimit(q.get("limit"));
  const name = q.get("name");
  const rows = await ctx.db.query<{ internal_id: string; payload: Record<string, unknown>; received_at: Date }>(
    `select internal_id, payload, received_at from events where ($1::text is null or name = $1)
      order by received_at desc, internal_id desc limit $2`,
    [name, limit],
  );
  return {
    data: rows.rows.map((r) => ({ internal_id: r.internal_id, ...r.payload, received_at: r.received_at.toISOString() })),
    metadata: meta(ctx),
  };
}

export async function listRuns(ctx: Ctx, q: URLSearchParams) {
  const limit = clampLimit(q.get("limit"));
  const status = q.get("status")?.toLowerCase() ?? null;
  const fn = q.get("function_id");
  const rows = await ctx.db.query<RunRow>(
    `select ${RUN_COLUMNS} from runs where ($1::text is null or status = $1) and ($2::text is null or function_id = $2)
      order by created_at desc, id desc limit $3`,
    [status, fn, limit],
  );
  return { data: rows.rows.map(runSummary), metadata: meta(ctx) };
}

export async function getRun(ctx: Ctx, runId: string) {
  const run = await ctx.db.query<RunRow>(`select ${RUN_COLUMNS} from runs where id = $1`, [runId]);
  const r = run.rows[0];
  if (!r) return null;
  const [steps, attempts] = await Promise.all([runSteps(ctx, runId), runAttempts(ctx, runId)]);
  const event = await ctx.db.query<{ payload: unknown }>("select payload from events where internal_id = $1", [r.event_id]);
  return {
    data: {
      ...runSummary(r),
      error: r.error ?? null,
      event: event.rows[0]?.payload ?? null,
      steps: steps.map((s) => ({
        id: s.step_id,
        name: s.name,
        op: s.op,
        result: s.result,
        completed_at: s.created_at.toISOString(),
      })),
      attempts: attempts.map((a) => ({
        step_id: a.step_id,
        step_name: a.step_name,
        attempt: a.attempt,
        outcome: a.outcome,
        status_code: a.status_code,
        error: a.error,
        retry_at: a.retry_at?.toISOString() ?? null,
        started_at: a.started_at.toISOString(),
        ended_at: a.ended_at.toISOString(),
      })),
    },
    metadata: meta(ctx),
  };
}

export type CancelResult = { found: false } | { found: true; cancelled: boolean; run: ReturnType<typeof runSummary> };

/**
 * Cancels a run that has not finished: its queued work and waits are deleted, an in-flight result
 * is dropped, and inngest/function.cancelled + inngest/function.finished are emitted.
 */
export async function cancelRun(ctx: Ctx, runId: string): Promise<CancelResult> {
  return withTx(ctx.db, async (tx) => {
    const res = await tx.query<RunRow>(`select ${RUN_COLUMNS} from runs where id = $1 for update`, [runId]);
    const r = res.rows[0];
    if (!r) return { found: false };
    if (TERMINAL.has(r.status)) {
      return { found: true, cancelled: false, run: runSummary(r) };
    }
    await cancel(ctx, tx, runId, "cancelled through the API");
    const upd = await tx.query<RunRow>(`select ${RUN_COLUMNS} from runs where id = $1`, [runId]);
    return { found: true, cancelled: true, run: runSummary(upd.rows[0] ?? r) };
  });
}

function clampLimit(v: string | null): number {
  const n = Number(v ?? 50);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 500) : 50;
}

export async function status(ctx: Ctx, upcoming: unknown) {
  const apps = await ctx.db.query<{ id: string; url: string; sdk: string | null; synced_at: Date; error: string | null }>(
    "select id, url, sdk, synced_at, error from apps order by id",
  );
  const runs = await ctx.db.query<RunRow>(`select ${RUN_COLUMNS} from runs order by created_at desc, id desc limit 20`);
  const counts = await ctx.db.query<{ status: string; n: number }>("select status, count(*)::int as n from runs group by status");
  return {
    engine: "local-inngest-engine",
    now: iso(ctx.clock()),
    apps: apps.rows.map((a) => ({ id: a.id, url: a.url, sdk: a.sdk, synced_at: a.synced_at.toISOString(), error: a.error })),
    functions: ctx.registry.all().map((f) => ({
      id: f.id,
      app_id: f.appId,
      name: f.name,
      triggers: [...f.events.map((e) => ({ event: e.event, expression: e.expression?.source })), ...f.crons.map((c) => ({ cron: c.cron }))],
      max_attempts: f.maxAttempts,
    })),
    schedules: upcoming,
    run_counts: Object.fromEntries(counts.rows.map((c) => [STATUS[c.status] ?? c.status, c.n])),
    recent_runs: runs.rows.map(runSummary),
  };
}
