// The op state machine: what each outcome of a request, the end of a sleep, a wait's timeout or a
// run-level deadline does to the run, applied inside the fenced write-back (writeback.ts).
import type { Ctx } from "./context";
import { iso, type Tx } from "./db";
import { sleepDelayMs, timeoutMs } from "./duration";
import { acceptEvents, cancelRun, completeRun, failRun } from "./events";
import type { FnDef } from "./functions";
import { compilePauseExpression, createPause, FINISHED_EVENT, INVOKED_EVENT, MAX_WAIT_MS, YEAR_MS } from "./pauses";
import { enqueue, scheduleRetry, updateForcePlan } from "./queue";
import { recordAttempt, recordEvent, saveStep, saveStepOk, type RunState } from "./run-store";
import type { Outcome } from "./sdk-call";
import type { Op, QueueItem, SerializedError } from "./types";
import { unstorableIn, unstorableRefusal, type Unstorable } from "./unstorable";
import type { Applied, Locked } from "./writeback";

/**
 * Ops the engine refuses at run time, by the SDK call that produced them. The run fails at once
 * (no retries) with an error naming the call, instead of pretending.
 */
const REFUSED_OPS: Record<string, string> = {
  WaitForSignal: "step.waitForSignal() (signals)",
  AIGateway: "step.ai.infer() (the AI gateway)",
  Gateway: "step.fetch()",
  DeferAdd: "defer() / createDefer()",
  DeferAbort: "defer() / createDefer()",
};
/** `step.run` variants (op `opts.type`) that need an API the engine lacks (server.ts answers 501). */
const REFUSED_STEP_TYPES: Record<string, string> = {
  "step.sendSignal": "step.sendSignal() (signals)",
  "step.realtime.publish": "step.realtime.publish() (realtime)",
};

/** What a parent's step.invoke memoises when the child did not finish in time (notes §2.3). */
const INVOKE_TIMEOUT_ERROR = {
  error: "InngestInvokeTimeoutError: Timed out waiting for invoked function to complete",
  name: "InngestInvokeTimeoutError",
  message: "Timed out waiting for invoked function to complete",
};

/** The name a step is shown by: the SDK sends it under one of three fields, depending on the op. */
export const opName = (op: Op) => op.displayName ?? op.name ?? op.userland?.id ?? null;
// The item is gone; whatever became runnable meanwhile was notified by its creator.
const done: Applied = { next: null, releasedSlots: true, notify: false };

async function failWith(ctx: Ctx, tx: Tx, item: QueueItem, stepId: string, name: string | null, error: SerializedError, startedAt: number): Promise<Applied> {
  await recordAttempt(tx, ctx, item, { stepId, name, outcome: "failed", error, startedAt });
  await failRun(ctx, tx, item.run_id, error);
  return done;
}

/**
 * Inngest's step limit: a run may record 1,000 steps (`DefaultMaxStepLimit`), and an executor may be
 * configured up to 10,000 (`AbsoluteMaxStepLimit`). A run at the limit fails on its next request —
 * not retried, its onFailure runs — and so does a response planning more steps than the limit at
 * once, with Inngest's error, so a function that would fail there fails here too.
 */
export const MAX_STEPS = 1_000;
export const ABSOLUTE_MAX_STEPS = 10_000;

export function stepLimitError(limit: number, when: "before a request" | "in a plan"): SerializedError {
  const name = "InngestErrFunctionOverflowed";
  const message = `The function run exceeded the step limit of ${limit} steps.`;
  // Inngest's two checks fill `error` differently: its run validator with the Go error's text, its
  // plan check with "name: message".
  return { name, message, error: when === "before a request" ? "function has too many steps" : `${name}: ${message}` };
}

/**
 * Inngest's state size limit: the outputs a run has recorded may take 32 MiB
 * (`DefaultMaxStateSizeLimit`). A step output that would take the run past it fails the run at
 * once, no retries, with Inngest's error — as Inngest's executor checks each step output it saves.
 */
export const MAX_STATE_BYTES = 32 * 1024 * 1024;

function stateLimitError(limit: number): SerializedError {
  const name = "InngestErrStateOverflowed";
  const message = `The function run exceeded the state size limit of ${limit} bytes.`;
  return { name, message, error: `${name}: ${message}` };
}

/**
 * Whether the step outputs in `ops` would take the run's recorded outputs past `limit` bytes (as
 * stored: `{"data":…}`, UTF-8). `bound` is the request and response bodies' size, which holds the
 * recorded outputs and the new ones: at or under the limit nothing is measured, so only a run near
 * it pays for serialising its state again.
 */
function overflowsState(run: RunState, ops: Op[], bound: number, limit: number): boolean {
  if (bound <= limit) return false;
  const size = (result: unknown) => Buffer.byteLength(JSON.stringify(result));
  let total = 0;
  const recorded = new Set<string>();
  for (const [id, result] of run.steps) {
    total += size(result);
    recorded.add(id);
  }
  for (const op of ops) {
    // First result wins: a step already recorded (a re-run after a lost lease) adds nothing.
    if ((op.op !== "StepRun" && op.op !== "Step") || recorded.has(op.id)) continue;
    total += size({ data: op.data ?? null });
    if (total > limit) return true;
  }
  return false;
}

/**
 * What refuses an SDK answer before anything of it is written, failing the run at once — the same
 * answer would come back on every retry: a character jsonb cannot store, a plan of more steps than
 * a run may record, step outputs past the state size limit. `answer`: its bodies' size and whether
 * its text may hold such a character (sdk-call.ts).
 */
export function answerRefusal(ctx: Ctx, run: RunState, outcome: Outcome, answer: { bytes: number; suspect: boolean }): SerializedError | null {
  const unstorable = answer.suspect ? unstorableAnswer(outcome) : null;
  if (unstorable || outcome.type !== "ops") return unstorable;
  if (outcome.ops.length > ctx.opts.maxSteps) return stepLimitError(ctx.opts.maxSteps, "in a plan");
  if (overflowsState(run, outcome.ops, answer.bytes, ctx.opts.maxStateBytes)) return stateLimitError(ctx.opts.maxStateBytes);
  return null;
}

/** The part of an SDK answer holding a character jsonb cannot store (unstorable.ts), named. */
function unstorableAnswer(outcome: Outcome): SerializedError | null {
  const refuse = (found: Unstorable | null, subject: string) => (found ? { name: "UnsupportedFeature", message: unstorableRefusal(subject, found) } : null);
  if (outcome.type === "ops") {
    for (const op of outcome.ops) {
      const refused = refuse(unstorableIn(op), `the answer for step "${opName(op) ?? op.id}"`);
      if (refused) return refused;
    }
    return null;
  }
  if (outcome.type === "complete") return refuse(unstorableIn(outcome.output), "the function's return value");
  return refuse(unstorableIn(outcome.error), "the function's error");
}

function unsupported(feature: string, detail: string): SerializedError {
  return { name: "UnsupportedFeature", message: `${feature} is not supported by this engine (${detail})` };
}

export async function applyOutcome(
  ctx: Ctx,
  tx: Tx,
  item: QueueItem,
  locked: Locked,
  run: RunState,
  fn: FnDef | undefined,
  outcome: Outcome,
  startedAt: number,
): Promise<Applied> {
  const maxAttempts = fn?.maxAttempts ?? 1;
  const canRetry = (noRetry: boolean) => !noRetry && !locked.refused && item.attempt + 1 < maxAttempts;
  // An error after the SDK asked for an endpoint the engine lacks is that feature's fault: it
  // fails the run at once, naming it, instead of retrying for minutes.
  const refusedError = (error: SerializedError): SerializedError =>
    locked.refused ? unsupported(locked.refused, `the run's error: ${error.name}: ${error.message}`) : error;

  if (outcome.type === "complete") {
    await recordAttempt(tx, ctx, item, { stepId: item.step_id, outcome: "completed", status: outcome.status, startedAt });
    await completeRun(ctx, tx, item.run_id, outcome.output);
    return { next: null, releasedSlots: true, notify: false };
  }
  if (outcome.type === "fail") return failWith(ctx, tx, item, item.step_id, null, outcome.error, startedAt);
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
    const error = refusedError(outcome.error);
    await recordAttempt(tx, ctx, item, { stepId: item.step_id, outcome: "failed", status: outcome.status, error, startedAt });
    ctx.log.info("step failed, no retries left", { run: item.run_id, step: item.step_id, attempt: item.attempt, error: error.message });
    await failRun(ctx, tx, item.run_id, error);
    return done;
  }

  // 206: a list of ops. Refused ops fail the run before anything else is applied.
  for (const op of outcome.ops) {
    const feature = REFUSED_OPS[op.op];
    if (feature) return failWith(ctx, tx, item, op.id, opName(op), unsupported(feature, `op "${op.op}", step "${opName(op) ?? op.id}"`), startedAt);
    const stepType = typeof op.opts?.type === "string" ? REFUSED_STEP_TYPES[op.opts.type] : undefined;
    if (stepType && op.op === "StepError") {
      const cause = (op.error ?? {}) as Partial<SerializedError>;
      return failWith(ctx, tx, item, op.id, opName(op), unsupported(stepType, `step "${opName(op) ?? op.id}": ${cause.message ?? "failed"}`), startedAt);
    }
  }
  const now = ctx.clock();
  const version = locked.version;
  const forcePlan = outcome.ops.length > 1;
  // Waits are registered before anything else of the same response (notes §0.5).
  const ops = [...outcome.ops].sort((a, b) => Number(b.op === "WaitForEvent") - Number(a.op === "WaitForEvent"));
  let retryItem = false;
  let completed = false;
  let notify = false;
  for (const op of ops) {
    const name = opName(op);
    const race = op.opts?.parallelMode === "race";
    switch (op.op) {
      case "StepRun":
      case "Step":
        await saveStepOk(tx, ctx, item, op.id, name, op.op, { data: op.data ?? null }, outcome.status, startedAt);
        ctx.log.info("step ok", { run: item.run_id, step: name, attempt: item.attempt });
        completed = true;
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
          if (locked.refused) return failWith(ctx, tx, item, op.id, name, refusedError(error), startedAt);
          await saveStep(tx, ctx, item.run_id, op.id, name, "StepFailed", { error });
          await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "failed", status: outcome.status, error, startedAt });
          ctx.log.info("step failed, no retries left", { run: item.run_id, step: name, attempt: item.attempt, error: error.message });
          completed = true;
        }
        break;
      }
      case "StepFailed": {
        const error = (op.error ?? op.data ?? { name: "Error", message: "step failed" }) as SerializedError;
        await saveStep(tx, ctx, item.run_id, op.id, name, "StepFailed", { error });
        await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "failed", status: outcome.status, error, startedAt });
        ctx.log.info("step failed, not retriable", { run: item.run_id, step: name, attempt: item.attempt, error: error.message });
        completed = true;
        break;
      }
      case "StepPlanned": {
        if (!run.steps.some(([id]) => id === op.id) && (await enqueue(tx, item, "call", op.id, now, race))) notify = true;
        break;
      }
      case "Sleep": {
        const delay = sleepDelayMs(op.name ?? "", now);
        if (delay === null) {
          return failWith(ctx, tx, item, op.id, name, { name: "InvalidSleep", message: `cannot read sleep duration "${op.name ?? ""}"` }, startedAt);
        }
        const wakeAt = now + delay * ctx.opts.timeScale;
        if (await enqueue(tx, item, "wake", op.id, wakeAt, race)) {
          await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "sleep", retryAt: wakeAt, startedAt, endedAt: now });
          ctx.log.info("step sleeping", { run: item.run_id, step: name, until: iso(wakeAt) });
        }
        break;
      }
      case "WaitForEvent": {
        const eventName = typeof op.opts?.event === "string" && op.opts.event ? op.opts.event : (op.name ?? "");
        const spec = typeof op.opts?.timeout === "string" ? op.opts.timeout : "";
        const ms = timeoutMs(spec, now);
        const expression = typeof op.opts?.if === "string" && op.opts.if ? op.opts.if : null;
        const bad = (message: string) => failWith(ctx, tx, item, op.id, name, { name: "InvalidWaitForEvent", message: `step.waitForEvent("${name ?? op.id}"): ${message}` }, startedAt);
        if (!eventName) return bad("no event name");
        if (ms === null) return bad(`cannot read timeout ${JSON.stringify(spec)}`);
        if (ms > MAX_WAIT_MS) return bad(`timeout ${JSON.stringify(spec)} is longer than 366 days`);
        if (expression) {
          try {
            compilePauseExpression(expression);
          } catch (err) {
            return bad(`unsupported \`if\`/\`match\` expression ${JSON.stringify(expression)}: ${(err as Error).message}`);
          }
        }
        const expiresAt = now + ms * ctx.opts.timeScale;
        const created = await createPause(ctx, tx, { runId: item.run_id, kind: "wait", stepId: op.id, stepName: name, eventName, expression, race, expiresAt });
        if (created) {
          await enqueue(tx, item, "timeout", op.id, expiresAt, race);
          await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "waiting", retryAt: expiresAt, startedAt, endedAt: now });
          ctx.log.info("waiting for event", { run: item.run_id, step: name, event: eventName, until: iso(expiresAt) });
        }
        break;
      }
      case "InvokeFunction": {
        const target = typeof op.opts?.function_id === "string" ? op.opts.function_id : "";
        const payload = (op.opts?.payload ?? {}) as { data?: Record<string, unknown>; v?: string; meta?: Record<string, unknown> };
        const spec = op.opts?.timeout;
        const ms = typeof spec === "string" ? timeoutMs(spec, now) : YEAR_MS;
        if (ms === null) {
          return failWith(ctx, tx, item, op.id, name, { name: "InvalidInvoke", message: `step.invoke("${name ?? op.id}"): cannot read timeout ${JSON.stringify(spec)}` }, startedAt);
        }
        // A child synced through another engine process a moment ago: this registry may not know it yet.
        const child = await ctx.registry.getFresh(target);
        if (!child) {
          // Go answers through a synthetic finished event; the parent's step gets the same error.
          const error = { name: "Error", message: `could not find function with ID: ${target}` };
          await saveStep(tx, ctx, item.run_id, op.id, name, "InvokeFunction", { error });
          await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "failed", error, startedAt });
          completed = true;
          break;
        }
        const expiresAt = now + ms * ctx.opts.timeScale;
        const correlationId = `${item.run_id}.${op.id}`;
        const created = await createPause(ctx, tx, {
          runId: item.run_id, kind: "invoke", stepId: op.id, stepName: name, eventName: FINISHED_EVENT, correlationId, race, expiresAt,
        });
        if (!created) break;
        await enqueue(tx, item, "timeout", op.id, expiresAt, race);
        const started = await acceptEvents(ctx, tx, [
          {
            name: INVOKED_EVENT,
            data: {
              ...(payload.data ?? {}),
              _inngest: {
                fn_id: target,
                correlation_id: correlationId,
                expire: expiresAt,
                name: name ?? op.id,
                source_app_id: fn?.appId ?? null,
                source_fn_id: run.function_id,
                source_run_id: item.run_id,
              },
            },
            ts: now,
            ...(typeof payload.v === "string" ? { v: payload.v } : {}),
            ...(payload.meta && typeof payload.meta === "object" ? { meta: payload.meta } : {}),
          },
        ]);
        await recordAttempt(tx, ctx, item, { stepId: op.id, name, outcome: "invoked", retryAt: expiresAt, startedAt, endedAt: now });
        ctx.log.info("function invoked", { run: item.run_id, step: name, fn: target, child: started.runIds[0] ?? null });
        // A rate-limited child answered the step already (events.ts): it counts as completed here.
        if (started.invokeRefusals.some((r) => r.correlationId === correlationId)) completed = true;
        break;
      }
      case "RunComplete":
        await recordAttempt(tx, ctx, item, { stepId: item.step_id, outcome: "completed", status: outcome.status, startedAt });
        await completeRun(ctx, tx, item.run_id, op.data ?? null);
        return { next: null, releasedSlots: true, notify: false };
      // "Call me again" (the SDK hit its checkpointing time budget) / nothing found: discovery follows.
      case "DiscoveryRequest":
      case "StepNotFound":
        break;
      default: {
        const error = { name: "UnsupportedOp", message: `op "${op.op}" (${name ?? op.id}) is not supported by this engine` };
        return failWith(ctx, tx, item, op.id, name, error, startedAt);
      }
    }
  }
  if (retryItem) return { next: null, releasedSlots: true, notify: false };
  // A completion asks for a discovery at once in race mode or with request version 1 (notes §11.2).
  const immediate = locked.rediscover || (completed && (item.race || version === 1));
  const out = await advance(ctx, tx, item, { forcePlan, wasForced: run.force_plan, immediate });
  return notify ? { ...out, notify: true } : out;
}

/**
 * After the item's work is saved: run discovery when nothing else of the run is pending, or at
 * once when `immediate` (then a discovery already running is told to run again). The item's own
 * row becomes that discovery when it can, keeping its lease: the same worker continues at once,
 * skipping a claim, and a crash resumes exactly here since it commits with the result.
 */
async function advance(
  ctx: Ctx,
  tx: Tx,
  item: QueueItem,
  o: { forcePlan: boolean; wasForced: boolean | null; immediate: boolean },
): Promise<Applied> {
  const now = ctx.clock();
  const lease = await tx.query<{ lease_token: string }>(
    `update queue set kind = 'call', step_id = 'step', attempt = 0, rescues = 0, race = false, rediscover = false,
                      run_at = $2, lease_until = $3, lease_token = gen_random_uuid()
      where id = $1
        and (not exists (select 1 from queue o where o.run_id = $4 and o.id <> $1 and o.kind <> 'deadline')
             or ($5 and not exists (select 1 from queue o where o.run_id = $4 and o.id <> $1 and o.kind = 'call' and o.step_id = 'step')))
      returning lease_token`,
    [item.id, iso(now), iso(now + ctx.opts.leaseMs), item.run_id, o.immediate],
  );
  const token = lease.rows[0]?.lease_token;
  if (token) {
    // Nothing else pending: force_plan off. A race/v1 discovery with steps still pending: on.
    if (o.immediate || o.wasForced !== false) await updateForcePlan(tx, item.run_id);
    return { next: { ...item, kind: "call", step_id: "step", attempt: 0, race: false, lease_token: token }, releasedSlots: false, notify: false };
  }
  if (o.immediate) {
    await tx.query("update queue set rediscover = true where run_id = $1 and id <> $2 and kind = 'call' and step_id = 'step' and state = 'running'", [
      item.run_id,
      item.id,
    ]);
  }
  // Other planned steps, sleeps or waits are pending: the last of them to finish runs discovery.
  if (o.forcePlan && o.wasForced !== true) await tx.query("update runs set force_plan = true where id = $1", [item.run_id]);
  await tx.query("delete from queue where id = $1", [item.id]);
  return done;
}

const immediateFor = (item: QueueItem, locked: Locked) => locked.rediscover || item.race || locked.version === 1;

/** A sleep's wake-up item: memoise `null` for the sleep step and move on. */
export async function endSleep(ctx: Ctx, tx: Tx, item: QueueItem, locked: Locked): Promise<Applied> {
  // The wake-up row carries no name; the sleep's attempt row (written when it began) does.
  const named = await tx.query<{ step_name: string | null }>(
    "select step_name from attempts where run_id = $1 and step_id = $2 and outcome = 'sleep' order by id desc limit 1",
    [item.run_id, item.step_id],
  );
  await saveStep(tx, ctx, item.run_id, item.step_id, named.rows[0]?.step_name ?? null, "Sleep", null);
  ctx.log.info("sleep ended", { run: item.run_id, step: item.step_id });
  return advance(ctx, tx, item, { forcePlan: false, wasForced: null, immediate: immediateFor(item, locked) });
}

/** A wait or invoke still open at its timeout: waitForEvent gets null, invoke a timeout error. */
export async function endWait(ctx: Ctx, tx: Tx, item: QueueItem, locked: Locked): Promise<Applied> {
  const pause = await tx.query<{ kind: string; step_name: string | null }>(
    "delete from pauses where run_id = $1 and step_id = $2 returning kind, step_name",
    [item.run_id, item.step_id],
  );
  const p = pause.rows[0];
  if (!p) {
    // Resolved meanwhile (that path deletes this row too; here only as a safety net).
    await tx.query("delete from queue where id = $1", [item.id]);
    return { next: null, releasedSlots: false, notify: false };
  }
  const invoke = p.kind === "invoke";
  await saveStep(tx, ctx, item.run_id, item.step_id, p.step_name, invoke ? "InvokeFunction" : "WaitForEvent", invoke ? { error: INVOKE_TIMEOUT_ERROR } : null);
  await recordEvent(tx, ctx, item.run_id, item.step_id, p.step_name, "timed out");
  ctx.log.info(invoke ? "invoke timed out" : "wait timed out", { run: item.run_id, step: p.step_name });
  return advance(ctx, tx, item, { forcePlan: false, wasForced: null, immediate: immediateFor(item, locked) });
}

/**
 * A run-level timer: `timeouts.start` cancels a run that has not started yet, `timeouts.finish`
 * one that is still going (notes §8). Both cancel like cancelOn does.
 */
export async function fireDeadline(ctx: Ctx, tx: Tx, item: QueueItem, locked: Locked, fn: FnDef | undefined): Promise<Applied> {
  const which = item.step_id === "start" ? "start" : "finish";
  if (which === "start" && locked.started_at) {
    await tx.query("delete from queue where id = $1", [item.id]);
    return { next: null, releasedSlots: false, notify: false };
  }
  return cancelForTimeout(ctx, tx, item, which, fn);
}

export async function cancelForTimeout(ctx: Ctx, tx: Tx, item: QueueItem, which: "start" | "finish", fn: FnDef | undefined): Promise<Applied> {
  const spec = fn?.config.timeouts?.[which] ?? "?";
  await cancelRun(ctx, tx, item.run_id, `timeouts.${which} (${spec}) exceeded`);
  await tx.query("delete from queue where id = $1", [item.id]);
  return done;
}
