// Executes one claimed queue item: calls the SDK (or ends a sleep, a wait, a run-level timer), then
// records the outcome in one transaction fenced on the item's lease (writeback.ts) through the op
// state machine (ops.ts).
import type { Ctx } from "./context";
import { fireFlowItem } from "./flow-control/fire";
import { cancelForTimeout, applyOutcome, endSleep, endWait, fireDeadline } from "./ops";
import { enqueueDeadline, releaseItem } from "./queue";
import { dropItem, loadRun, TERMINAL } from "./run-store";
import { callSdk, type Inflight, type Outcome } from "./sdk-call";
import type { QueueItem } from "./types";
import { writeBack } from "./writeback";

export async function processItem(ctx: Ctx, item: QueueItem, inflight: Inflight): Promise<QueueItem | null> {
  // A debounce timer, a batch timeout or a throttle gate (flow-control/fire.ts).
  if (item.kind === "flow") return fireFlowItem(ctx, item);
  const now = ctx.clock();
  if (item.kind === "wake") return writeBack(ctx, item, null, now, (tx, it, locked) => endSleep(ctx, tx, it, locked));
  if (item.kind === "timeout") return writeBack(ctx, item, null, now, (tx, it, locked) => endWait(ctx, tx, it, locked));
  if (item.kind === "deadline") {
    return writeBack(ctx, item, null, now, (tx, it, locked) => fireDeadline(ctx, tx, it, locked, ctx.registry.get(locked.function_id)));
  }

  const run = await loadRun(ctx, item.run_id);
  if (!run || TERMINAL.has(run.status)) {
    await dropItem(ctx, item);
    return null;
  }
  let fn = ctx.registry.get(run.function_id);
  if (!fn) {
    await ctx.registry.reload();
    fn = ctx.registry.get(run.function_id);
  }

  if (run.started) ctx.log.info("run started", { run: item.run_id, fn: run.function_id });
  // timeouts, checked lazily too (the timers may run late, e.g. after downtime).
  const scale = ctx.opts.timeScale;
  const { startMs, finishMs } = fn?.timeouts ?? {};
  if (startMs && run.started && now - run.created_at.getTime() > startMs * scale) {
    return writeBack(ctx, item, null, now, (tx, it) => cancelForTimeout(ctx, tx, it, "start", fn));
  }
  if (finishMs && run.started_at) {
    const deadline = run.started_at.getTime() + finishMs * scale;
    if (now > deadline) return writeBack(ctx, item, null, now, (tx, it) => cancelForTimeout(ctx, tx, it, "finish", fn));
    if (run.started) await enqueueDeadline(ctx.db, item.run_id, "finish", deadline);
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
  return writeBack(ctx, item, pin, startedAt, (tx, it, locked) => applyOutcome(ctx, tx, it, locked, run, fnDef, outcome, startedAt));
}
