// Executes one claimed queue item: calls the SDK (or ends a sleep), then records the outcome in one
// transaction fenced on the item's lease (writeback.ts) through the op state machine (ops.ts).
import type { Ctx } from "./context";
import { fireFlowItem } from "./flow-control/fire";
import { applyOutcome, endSleep } from "./ops";
import { dropItem, loadRun, TERMINAL } from "./run-store";
import { callSdk, type Inflight, type Outcome } from "./sdk-call";
import { releaseItem } from "./queue";
import type { QueueItem } from "./types";
import { writeBack } from "./writeback";

export async function processItem(ctx: Ctx, item: QueueItem, inflight: Inflight): Promise<QueueItem | null> {
  // A debounce timer, a batch timeout or a throttle gate (flow-control/fire.ts).
  if (item.kind === "flow") return fireFlowItem(ctx, item);
  if (item.kind === "wake") return writeBack(ctx, item, null, ctx.clock(), (tx, it) => endSleep(ctx, tx, it, null));

  const run = await loadRun(ctx, item.run_id);
  if (!run || TERMINAL.has(run.status)) {
    await dropItem(ctx, item);
    return null;
  }
  if (run.started) ctx.log.info("run started", { run: item.run_id, fn: run.function_id });
  let fn = ctx.registry.get(run.function_id);
  if (!fn) {
    await ctx.registry.reload();
    fn = ctx.registry.get(run.function_id);
  }

  const startedAt = ctx.clock();
  let outcome: Outcome;
  let version: number | null = null;
  if (!fn) {
    outcome = { type: "fail", error: { name: "FunctionNotFound", message: `function "${run.function_id}" is no longer synced` } };
  } else {
    const res = await callSdk(ctx, fn, item, run, inflight);
    if (res === "stopped") {
      await releaseItem(ctx, item);
      return null;
    }
    outcome = res.outcome;
    version = res.version;
  }
  const fnDef = fn;
  // Only the first response pins the request version.
  const pin = run.version === -1 ? version : null;
  return writeBack(ctx, item, pin, startedAt, (tx, it) => applyOutcome(ctx, tx, it, run, fnDef, outcome, startedAt));
}
