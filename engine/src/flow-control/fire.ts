// Executes a claimed 'flow' queue item: a debounce's timer, a batch's timeout, a throttle gate, or
// the start time of a delayed run of a throttled function (throttle.ts `armDelayedStart`).
// One transaction, under the function's flow lock, fenced on the item's lease like every write-back:
// if the lease was lost (or an ingest started the batch meanwhile and deleted the item), nothing
// happens. A run it creates may be leased to this same worker, which continues with it at once.
import { QUEUE_CHANNEL, type Ctx } from "../context";
import { iso, withTx, type Tx } from "../db";
import { scheduleRun } from "../ingest";
import type { QueueItem } from "../types";
import { startBatch } from "./batch";
import { fireDebounce } from "./debounce";
import { lockFunctions } from "./lock";
import type { Started } from "./schedule";
import { openThrottleGate, startDelayedRun } from "./throttle";

const OWNER: Record<string, string> = {
  debounce: "select function_id, '' as key from flow_debounces where id = $1",
  batch: "select function_id, '' as key from flow_batches where id = $1",
  throttle: "select function_id, key from flow_gcra where kind = 'throttle' and gate_id = $1::bigint",
  start: "select function_id, '' as key from runs where id = $1",
};

export async function fireFlowItem(ctx: Ctx, item: QueueItem): Promise<QueueItem | null> {
  const [kind = "", id = String(item.id)] = item.step_id.split(/:(.*)/s);
  let reserved = false;
  const direct = { reserve: () => !reserved && (reserved = true) };
  const res = await withTx(ctx.db, async (tx): Promise<Started | null> => {
    const sql = OWNER[kind];
    const owner = sql ? (await tx.query<{ function_id: string; key: string }>(sql, [id])).rows[0] : undefined;
    if (owner) await lockFunctions(tx, [owner.function_id]);
    const fenced = await tx.query("select 1 from queue where id = $1 and lease_token = $2 and state = 'running' for update", [item.id, item.lease_token]);
    if (!fenced.rowCount) return null;
    if (!owner) {
      await tx.query("delete from queue where id = $1", [item.id]);
      return null;
    }
    const fn = await ctx.registry.getFresh(owner.function_id);
    if (kind === "throttle") {
      const gate = await openThrottleGate(ctx, tx, fn, owner.function_id, owner.key, direct);
      await rearmOrDelete(tx, item, gate.next);
      return gate.claimed ? { runId: gate.claimed.run_id, claimed: gate.claimed } : null;
    }
    await tx.query("delete from queue where id = $1", [item.id]);
    if (kind === "start") {
      const claimed = await startDelayedRun(ctx, tx, fn, id, direct);
      return claimed ? { runId: id, claimed } : null;
    }
    const started =
      kind === "debounce" ? await fireDebounce(ctx, tx, fn, id, scheduleRun, direct) : await startBatch(ctx, tx, fn, id, "timeout", scheduleRun, direct);
    if (started && !started.claimed) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
    return started;
  });
  ctx.wake();
  return res?.claimed ?? null;
}

async function rearmOrDelete(tx: Tx, item: QueueItem, next: number | null) {
  if (next === null) await tx.query("delete from queue where id = $1", [item.id]);
  else {
    await tx.query("update queue set state = 'queued', run_at = $2, lease_token = null, lease_until = null where id = $1", [item.id, iso(next)]);
  }
}
