// POST /v1/checkpoint/:runId/async — step results the SDK reports during a checkpointed request
// (protocol §3.8). Fenced like any write-back: the queue item named by qi_id must still hold its
// lease, else 409 (the SDK then stops as a stale dispatch). Each result is committed before the
// SDK continues.
import type { Ctx } from "./context";
import { withTx } from "./db";
import { saveStepOk, TERMINAL } from "./run-store";
import type { Op, QueueItem } from "./types";

export type CheckpointResult = { status: 200 | 400 | 409; error?: string };

export async function checkpoint(ctx: Ctx, runId: string, body: Record<string, unknown>): Promise<CheckpointResult> {
  const m = /^(\d+)\.([0-9a-f-]{36})$/.exec(String(body.qi_id ?? ""));
  if (!m) return { status: 400, error: '"qi_id" is not a queue item of this engine' };
  const steps = Array.isArray(body.steps) ? (body.steps as Op[]) : null;
  if (!steps) return { status: 400, error: '"steps" must be an array' };
  const bad = steps.find((op) => !op || (op.op !== "StepRun" && op.op !== "Step") || typeof op.id !== "string");
  if (bad) return { status: 400, error: `only StepRun ops can be checkpointed, got ${JSON.stringify(bad?.op)}` };
  const queueId = Number(m[1]);
  const token = m[2] ?? "";
  return withTx(ctx.db, async (tx) => {
    const locked = await tx.query<{ status: string; attempt: number; ckeys: string[]; climits: number[] }>(
      `select r.status, q.attempt, q.ckeys, q.climits from runs r join queue q on q.run_id = r.id
        where r.id = $1 and q.id = $2 and q.lease_token = $3 and q.state = 'running' for update of r, q`,
      [runId, queueId, token],
    );
    const row = locked.rows[0];
    if (!row || TERMINAL.has(row.status)) return { status: 409, error: "stale queue item or finished run" } as const;
    const item: QueueItem = {
      id: queueId, run_id: runId, kind: "call", step_id: "step", attempt: row.attempt, lease_token: token, ckeys: row.ckeys, climits: row.climits, race: false,
    };
    const now = ctx.clock();
    for (const op of steps) {
      const name = op.displayName ?? op.name ?? op.userland?.id ?? null;
      await saveStepOk(tx, ctx, item, op.id, name, op.op, { data: op.data ?? null }, 206, now);
      ctx.log.info("step ok", { run: runId, step: name, attempt: item.attempt, via: "checkpoint" });
    }
    await tx.query("update queue set attempt = 0 where id = $1", [queueId]);
    return { status: 200 } as const;
  });
}
