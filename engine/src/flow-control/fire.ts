// Executes a claimed 'flow' queue item: a debounce's timer or a batch's timeout. One transaction,
// under the function's flow lock, fenced on the item's lease like every write-back: if the lease
// was lost (or an ingest started the batch meanwhile and deleted the item), nothing happens. The
// run it creates may be leased to this same worker, which continues with it at once.
import { QUEUE_CHANNEL, type Ctx } from "../context";
import { withTx } from "../db";
import { scheduleRun } from "../ingest";
import type { QueueItem } from "../types";
import { startBatch } from "./batch";
import { fireDebounce } from "./debounce";
import { lockFunctions } from "./lock";

export async function fireFlowItem(ctx: Ctx, item: QueueItem): Promise<QueueItem | null> {
  const m = /^(debounce|batch):(.+)$/.exec(item.step_id);
  const kind = m?.[1];
  const id = m?.[2] ?? "";
  let reserved = false;
  const direct = { reserve: () => !reserved && (reserved = true) };
  const res = await withTx(ctx.db, async (tx) => {
    const owner = await tx.query<{ function_id: string }>(
      kind === "debounce" ? "select function_id from flow_debounces where id = $1" : "select function_id from flow_batches where id = $1",
      [id],
    );
    const fnId = owner.rows[0]?.function_id;
    if (fnId) await lockFunctions(tx, [fnId]);
    const fenced = await tx.query("delete from queue where id = $1 and lease_token = $2 and state = 'running'", [item.id, item.lease_token]);
    if (!fenced.rowCount || !fnId) return null;
    let fn = ctx.registry.get(fnId);
    if (!fn) {
      await ctx.registry.reload();
      fn = ctx.registry.get(fnId);
    }
    const started =
      kind === "debounce" ? await fireDebounce(ctx, tx, fn, id, scheduleRun, direct) : await startBatch(ctx, tx, fn, id, "timeout", scheduleRun, direct);
    if (started && !started.claimed) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
    return started;
  });
  if (res && !res.claimed) ctx.wake();
  return res?.claimed ?? null;
}
