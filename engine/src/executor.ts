// Executes one claimed queue item: calls the SDK (or ends a sleep, a wait, a run-level timer), then
// records the outcome in one transaction fenced on the item's lease (writeback.ts) through the op
// state machine (ops.ts).
import type { Ctx } from "./context";
import { fireFlowItem } from "./flow-control/fire";
import { answerRefusal, cancelForTimeout, applyOutcome, endSleep, endWait, fireDeadline, opName, stepLimitError } from "./ops";
import { enqueueDeadline, releaseItem } from "./queue";
import type { FnDef } from "./functions";
import { fastWriteBack } from "./group-commit";
import { FINISHED_EVENT, NO_LIFECYCLE } from "./pauses";
import { dropItem, loadRun, TERMINAL, type RunState } from "./run-store";
import { callSdk, type Inflight, type Outcome } from "./sdk-call";
import type { CarriedRun, QueueItem } from "./types";
import { writeBack } from "./writeback";

/** The item a worker continues with (same lease), and the run's state when it is already known. */
export type Next = { item: QueueItem; run?: CarriedRun } | null;
const wrap = (item: QueueItem | null): Next => (item ? { item } : null);

/**
 * `carried`: the run's state as the previous write-back left it (an in-place continuation of the
 * same run on the grouped fast path), so it is not loaded again.
 */
export async function processItem(ctx: Ctx, item: QueueItem, inflight: Inflight, carried?: CarriedRun): Promise<Next> {
  // A debounce timer, a batch timeout, a throttle gate or a delayed throttled start (flow-control/fire.ts).
  if (item.kind === "flow") return wrap(await fireFlowItem(ctx, item));
  const now = ctx.clock();
  if (item.kind === "wake") return wrap(await writeBack(ctx, item, null, now, (tx, it, locked) => endSleep(ctx, tx, it, locked)));
  if (item.kind === "timeout") return wrap(await writeBack(ctx, item, null, now, (tx, it, locked) => endWait(ctx, tx, it, locked)));
  if (item.kind === "deadline") {
    return wrap(await writeBack(ctx, item, null, now, (tx, it, locked) => fireDeadline(ctx, tx, it, locked, ctx.registry.get(locked.function_id))));
  }

  const run = carried ? { started: false, ...carried } : await loadRun(ctx, item.run_id);
  if (!run || TERMINAL.has(run.status)) {
    await dropItem(ctx, item);
    return null;
  }
  const fn = await ctx.registry.getFresh(run.function_id);

  if (run.started) ctx.log.info("run started", { run: item.run_id, fn: run.function_id });
  // timeouts, checked lazily too (the timers may run late, e.g. after downtime).
  const scale = ctx.opts.timeScale;
  const { startMs, finishMs } = fn?.timeouts ?? {};
  if (startMs && run.started && now - run.created_at.getTime() > startMs * scale) {
    return wrap(await writeBack(ctx, item, null, now, (tx, it) => cancelForTimeout(ctx, tx, it, "start", fn)));
  }
  if (finishMs && run.started_at) {
    const deadline = run.started_at.getTime() + finishMs * scale;
    if (now > deadline) return wrap(await writeBack(ctx, item, null, now, (tx, it) => cancelForTimeout(ctx, tx, it, "finish", fn)));
    if (run.started) await enqueueDeadline(ctx.db, item.run_id, "finish", deadline);
  }

  const startedAt = ctx.clock();
  let outcome: Outcome;
  let version: number | null = null;
  if (!fn) {
    outcome = { type: "fail", error: { name: "FunctionNotFound", message: `function "${run.function_id}" is no longer synced` } };
  } else if (run.steps.length >= ctx.opts.maxSteps) {
    outcome = { type: "fail", error: stepLimitError(ctx.opts.maxSteps, "before a request") };
  } else {
    const res = await callSdk(ctx, fn, item, run, inflight);
    if (res === "stopped") {
      await releaseItem(ctx, item);
      return null;
    }
    const refusal = answerRefusal(ctx, run, res.outcome, res);
    outcome = refusal ? { type: "fail", error: refusal } : res.outcome;
    version = res.version;
  }
  const fnDef = fn;
  // Only the first response pins the request version.
  const pin = run.version === -1 ? version : null;
  if (fnDef) {
    const fast = await tryFastPath(ctx, item, run, fnDef, outcome, pin, startedAt);
    if (fast !== undefined) return fast;
  }
  return wrap(await writeBack(ctx, item, pin, startedAt, (tx, it, locked) => applyOutcome(ctx, tx, it, locked, run, fnDef, outcome, startedAt)));
}


/**
 * Whether a completion's inngest/function.finished could reach anyone, as far as this process can
 * tell without a query: a function triggered by it, an invoking parent, a batch's invokers. (Open
 * waits and cancelOns on it are checked by the grouped statement itself.)
 */
function finishedHasListeners(ctx: Ctx, run: RunState, fn: FnDef): boolean {
  if (NO_LIFECYCLE.has(run.payload.name)) return false;
  if ((run.payload.data._inngest as { correlation_id?: unknown } | undefined)?.correlation_id !== undefined) return true;
  if (fn.flow?.batch) return true;
  return ctx.registry.all().some((f) => f.events.some((t) => t.event === FINISHED_EVENT));
}

/**
 * The grouped fast path (group-commit.ts) for the common outcomes: one step.run result, or the
 * run's return value when nobody listens for its function.finished. Returns undefined when the
 * outcome is not one of those or the statement did not apply it (the general path follows).
 */
async function tryFastPath(
  ctx: Ctx,
  item: QueueItem,
  run: RunState,
  fn: FnDef,
  outcome: Outcome,
  version: number | null,
  startedAt: number,
): Promise<Next | undefined> {
  if (item.kind !== "call") return undefined;
  const base = { queueId: item.id, token: item.lease_token, runId: item.run_id, startedAt, version };
  const single = outcome.type === "ops" && outcome.ops.length === 1 ? outcome.ops[0] : undefined;
  if (single && (single.op === "StepRun" || single.op === "Step")) {
    const name = opName(single);
    const result = { data: single.data ?? null };
    const r = await fastWriteBack(ctx, { ...base, kind: "step", stepId: single.id, name, op: single.op, result, status: (outcome as { status: number }).status });
    if (!r.applied || !r.token) return undefined;
    ctx.log.info("step ok", { run: item.run_id, step: name, attempt: item.attempt });
    const next: QueueItem = { ...item, kind: "call", step_id: "step", attempt: 0, race: false, lease_token: r.token };
    // The state is carried only when the run's recorded steps are exactly the ones this request
    // was sent: a parallel sibling that finished during the request, or a step checkpointed by it,
    // makes the next discovery load the run again.
    if (ctx.opts.checkpoint || r.stepsBefore !== run.steps.length) return { item: next };
    const state: CarriedRun = {
      ...run,
      started: false,
      status: "running",
      version: version ?? run.version,
      force_plan: false,
      // First result wins (the statement inserts with on conflict do nothing), as in the table.
      steps: run.steps.some(([id]) => id === single.id) ? run.steps : [...run.steps, [single.id, result]],
    };
    return { item: next, run: state };
  }
  const done =
    outcome.type === "complete"
      ? { output: outcome.output, status: outcome.status }
      : single?.op === "RunComplete" && outcome.type === "ops"
        ? { output: single.data ?? null, status: outcome.status }
        : null;
  if (done && !item.ckeys.length && !finishedHasListeners(ctx, run, fn)) {
    const r = await fastWriteBack(ctx, { ...base, kind: "complete", stepId: item.step_id, output: done.output, status: done.status });
    if (!r.applied) return undefined;
    ctx.log.info("run completed", { run: item.run_id });
    return null;
  }
  return undefined;
}
