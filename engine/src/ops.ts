// The op state machine: what each outcome of a request (or the end of a sleep) does to the run,
// applied inside the fenced write-back transaction (writeback.ts).
import type { Ctx } from "./context";
import { iso, type Tx } from "./db";
import { sleepDelayMs } from "./duration";
import type { FnDef } from "./functions";
import { enqueue, scheduleRetry } from "./queue";
import { failRun, finishRun, recordAttempt, saveStep, saveStepOk, type RunState } from "./run-store";
import type { Outcome } from "./sdk-call";
import type { QueueItem, SerializedError } from "./types";
import type { Applied } from "./writeback";

export async function applyOutcome(
  ctx: Ctx,
  tx: Tx,
  item: QueueItem,
  run: RunState,
  fn: FnDef | undefined,
  outcome: Outcome,
  startedAt: number,
): Promise<Applied> {
  const maxAttempts = fn?.maxAttempts ?? 1;
  const canRetry = (noRetry: boolean) => !noRetry && item.attempt + 1 < maxAttempts;

  if (outcome.type === "complete") {
    await recordAttempt(tx, ctx, item, { stepId: item.step_id, outcome: "completed", status: outcome.status, startedAt });
    await finishRun(ctx, tx, item.run_id, "completed", outcome.output);
    return { next: null, releasedSlots: true, notify: false };
  }
  if (outcome.type === "fail") {
    await recordAttempt(tx, ctx, item, { stepId: item.step_id, outcome: "failed", error: outcome.error, startedAt });
    await failRun(ctx, tx, item.run_id, run, outcome.error);
    return { next: null, releasedSlots: true, notify: true };
  }
  if (outcome.type === "error") {
    if (canRetry(outcome.noRetry)) {
      const { retryAt, at } = await scheduleRetry(ctx, tx, item, outcome.retryAfter);
      await recordAttempt(tx, ctx, item, {
        stepId: item.step_id, outcome: "error", status: outcome.status, error: outcome.error, retryAt, startedAt, endedAt: at,
      });
      ctx.log.info("step failed, retry scheduled", {
        run: item.run_id, step: item.step_id, attempt: item.attempt, retry_at: iso(retryAt), error: outcome.error.message,
      });
      return { next: null, releasedSlots: true, notify: false };
    }
    await recordAttempt(tx, ctx, item, { stepId: item.step_id, outcome: "failed", status: outcome.status, error: outcome.error, startedAt });
    ctx.log.info("step failed, no retries left", { run: item.run_id, step: item.step_id, attempt: item.attempt, error: outcome.error.message });
    await failRun(ctx, tx, item.run_id, run, outcome.error);
    return { next: null, releasedSlots: true, notify: true };
  }

  // 206: a list of ops.
  const now = ctx.clock();
  const forcePlan = outcome.ops.filter((o) => !["DeferAdd", "DeferAbort"].includes(o.op)).length > 1;
  let retryItem = false;
  for (const op of outcome.ops) {
    const name = op.displayName ?? op.name ?? op.userland?.id ?? null;
    switch (op.op) {
      case "StepRun":
      case "Step":
        await saveStepOk(tx, ctx, item, op.id, name, op.op, { data: op.data ?? null }, outcome.status, startedAt);
        ctx.log.info("step ok", { run: item.run_id, step: name, attempt: item.attempt });
        break;
      case "StepError": {
        const error = (op.error ?? { name: "Error", message: "step failed" }) as SerializedError;
        if (canRetry(outcome.noRetry)) {
          retryItem = true;
          const { retryAt, at } = await scheduleRetry(ctx, tx, item, outcome.retryAfter);
          await recordAttempt(tx, ctx, item, {
            stepId: op.id, name, outcome: "error", status: outcome.status, error, retryAt, startedAt, endedAt: at,
          });
          ctx.log.info("step failed, retry scheduled", {
            run: item.run_id, step: name, attempt: item.attempt, retry_at: iso(retryAt), error: error.message,
          });
        } else {
          await saveStep(tx, ctx, item.run_id, op.id, name, "StepFailed", { error });
          await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "failed", status: outcome.status, error, startedAt });
          ctx.log.info("step failed, no retries left", { run: item.run_id, step: name, attempt: item.attempt, error: error.message });
        }
        break;
      }
      case "StepFailed": {
        const error = (op.error ?? op.data ?? { name: "Error", message: "step failed" }) as SerializedError;
        await saveStep(tx, ctx, item.run_id, op.id, name, "StepFailed", { error });
        await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "failed", status: outcome.status, error, startedAt });
        ctx.log.info("step failed, not retriable", { run: item.run_id, step: name, attempt: item.attempt, error: error.message });
        break;
      }
      case "StepPlanned": {
        const done = run.steps.some(([id]) => id === op.id);
        if (!done) await enqueue(tx, item, "call", op.id, now);
        break;
      }
      case "Sleep": {
        const delay = sleepDelayMs(op.name ?? "", now);
        if (delay === null) {
          const error = { name: "InvalidSleep", message: `cannot read sleep duration "${op.name ?? ""}"` };
          await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "failed", error, startedAt });
          await failRun(ctx, tx, item.run_id, run, error);
          return { next: null, releasedSlots: true, notify: true };
        }
        const wakeAt = now + delay * ctx.opts.timeScale;
        await enqueue(tx, item, "wake", op.id, wakeAt);
        await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "sleep", retryAt: wakeAt, startedAt, endedAt: now });
        ctx.log.info("step sleeping", { run: item.run_id, step: name, until: iso(wakeAt) });
        break;
      }
      case "RunComplete":
        await recordAttempt(tx, ctx, item, { stepId: item.step_id, outcome: "completed", status: outcome.status, startedAt });
        await finishRun(ctx, tx, item.run_id, "completed", op.data ?? null);
        return { next: null, releasedSlots: true, notify: false };
      case "DiscoveryRequest":
      case "StepNotFound":
      case "DeferAdd":
      case "DeferAbort":
        break;
      default: {
        const error = { name: "UnsupportedOp", message: `op "${op.op}" (${name ?? op.id}) is not supported by this engine` };
        await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "failed", error, startedAt });
        await failRun(ctx, tx, item.run_id, run, error);
        return { next: null, releasedSlots: true, notify: true };
      }
    }
  }
  if (retryItem) return { next: null, releasedSlots: true, notify: false };
  return advance(ctx, tx, item, forcePlan, run.force_plan);
}

/** After the item's ops are saved: run discovery when nothing else of the run is pending. */
async function advance(ctx: Ctx, tx: Tx, item: QueueItem, forcePlan: boolean, wasForced: boolean | null): Promise<Applied> {
  const now = ctx.clock();
  // Nothing else of the run pending → reuse this item as the discovery call and keep its lease:
  // the same worker continues at once, skipping a claim. It commits with the step result, so a
  // crash resumes exactly here.
  const lease = await tx.query<{ lease_token: string }>(
    `update queue set kind = 'call', step_id = 'step', attempt = 0, run_at = $2, lease_until = $3, lease_token = gen_random_uuid()
      where id = $1 and not exists (select 1 from queue o where o.run_id = $4 and o.id <> $1) returning lease_token`,
    [item.id, iso(now), iso(now + ctx.opts.leaseMs), item.run_id],
  );
  const token = lease.rows[0]?.lease_token;
  if (token) {
    if (wasForced !== false) await tx.query("update runs set force_plan = false where id = $1 and force_plan", [item.run_id]);
    return { next: { ...item, kind: "call", step_id: "step", attempt: 0, lease_token: token }, releasedSlots: false, notify: false };
  }
  // Other planned steps or a sleep are pending: the last of them to finish runs discovery.
  if (forcePlan && wasForced !== true) await tx.query("update runs set force_plan = true where id = $1", [item.run_id]);
  await tx.query("delete from queue where id = $1", [item.id]);
  return { next: null, releasedSlots: true, notify: true };
}

/** A sleep's wake-up item: memoise `null` for the sleep step and move on. */
export async function endSleep(ctx: Ctx, tx: Tx, item: QueueItem, wasForced: boolean | null): Promise<Applied> {
  await saveStep(tx, ctx, item.run_id, item.step_id, null, "Sleep", null);
  ctx.log.info("sleep ended", { run: item.run_id, step: item.step_id });
  return advance(ctx, tx, item, false, wasForced);
}
