// POST /v1/checkpoint/:runId/async — step results the SDK reports during a checkpointed request
// (protocol §3.8). Fenced like any write-back: the queue item named by qi_id must still hold its
// lease, else 409 (the SDK then stops as a stale dispatch). Each result is committed before the
// SDK continues.
import type { Ctx } from "./context";
import { iso } from "./db";
import { groupedWriter } from "./group-commit";
import { opName } from "./ops";
import { TERMINAL_SQL } from "./run-store";
import type { Op } from "./types";

export type CheckpointResult = { status: 200 | 400 | 409; error?: string };

export async function checkpoint(ctx: Ctx, runId: string, body: Record<string, unknown>): Promise<CheckpointResult> {
  const m = /^(\d{1,15})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(String(body.qi_id ?? ""));
  if (!m) return { status: 400, error: '"qi_id" is not a queue item of this engine' };
  const steps = Array.isArray(body.steps) ? (body.steps as Op[]) : null;
  if (!steps) return { status: 400, error: '"steps" must be an array' };
  const bad = steps.find((op) => !op || (op.op !== "StepRun" && op.op !== "Step") || typeof op.id !== "string");
  if (bad) return { status: 400, error: `only StepRun ops can be checkpointed, got ${JSON.stringify(bad?.op)}` };
  const entry: Entry = { queueId: Number(m[1]), token: m[2] ?? "", runId, steps };
  // Grouped with the checkpoints of concurrent requests (one statement, one commit for all); a
  // group that failed as a whole is retried alone, so one bad entry cannot fail the others.
  const attempt = (await writeGrouped(ctx, entry)) ?? (await write(ctx, [entry]))[0]!;
  if (attempt < 0) return { status: 409, error: "stale queue item or finished run" };
  for (const op of steps) ctx.log.info("step ok", { run: runId, step: opName(op), attempt, via: "checkpoint" });
  return { status: 200 };
}

type Entry = { queueId: number; token: string; runId: string; steps: Op[] };

const writeGrouped = groupedWriter("checkpoint", write);

// One statement for a group of checkpoints (it was a transaction of 3 statements + one per step,
// for each): the fence (the item still holds its lease, the run has not ended; locked run first,
// then its queue row, in run id order, like every write-back), the steps in the order reported
// (first result wins, as everywhere), an `ok` attempt each, and each item's attempt count reset —
// a step completed, so a later failure in the same request starts its retries afresh.
const SQL = `
with e as (select * from unnest($1::bigint[], $2::uuid[], $3::text[]) as e(qid, token, run_id)),
l as (
  select e.qid, r.id as run_id, q.attempt from e
    join runs r on r.id = e.run_id
    join queue q on q.id = e.qid and q.run_id = e.run_id
   where q.lease_token = e.token and q.state = 'running' and r.status not in (${TERMINAL_SQL})
   order by r.id
   for update of r, q),
w as (
  select * from unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::jsonb[]) with ordinality as w(qid, step_id, name, op, result, ord)),
s as (
  insert into steps (run_id, step_id, name, op, result, created_at)
  select l.run_id, w.step_id, w.name, w.op, w.result, $9 from w join l on l.qid = w.qid order by w.ord
  on conflict (run_id, step_id) do nothing),
a as (
  insert into attempts (run_id, step_id, step_name, attempt, outcome, status_code, started_at, ended_at)
  select l.run_id, w.step_id, w.name, l.attempt, 'ok', 206, $9, $9 from w join l on l.qid = w.qid),
q as (update queue set attempt = 0 from l where queue.id = l.qid)
select qid, attempt from l`;

/** Each entry's attempt number (whose steps were recorded), or -1: fenced out (409). */
async function write(ctx: Ctx, entries: Entry[]): Promise<number[]> {
  const flat = entries.flatMap((e) => e.steps.map((op) => ({ qid: e.queueId, op })));
  const res = await ctx.db.query<{ qid: string | number; attempt: number }>(SQL, [
    entries.map((e) => e.queueId),
    entries.map((e) => e.token),
    entries.map((e) => e.runId),
    flat.map((f) => f.qid),
    flat.map((f) => f.op.id),
    flat.map((f) => opName(f.op)),
    flat.map((f) => f.op.op),
    flat.map((f) => JSON.stringify({ data: f.op.data ?? null })),
    iso(ctx.clock()),
  ]);
  const locked = new Map(res.rows.map((r) => [Number(r.qid), r.attempt]));
  return entries.map((e) => locked.get(e.queueId) ?? -1);
}
