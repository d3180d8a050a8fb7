// Executes one claimed queue item: calls the SDK (or ends a sleep), then records the outcome in one
// transaction fenced on the item's lease, so a zombie never overwrites work that was re-claimed.
import { backoffMs, retryAfterMs } from "./backoff";
import { QUEUE_CHANNEL, type Ctx } from "./context";
import { iso, withTx, type Tx } from "./db";
import { sleepDelayMs } from "./duration";
import type { FnDef } from "./functions";
import { ingestEvents, type EventPayload } from "./ingest";

export type QueueItem = {
  id: number;
  run_id: string;
  kind: "call" | "wake";
  step_id: string;
  attempt: number;
  lease_token: string;
  ckeys: string[];
  climits: number[];
};

type Op = {
  op: string;
  id: string;
  name?: string;
  displayName?: string;
  data?: unknown;
  error?: unknown;
  opts?: Record<string, unknown>;
  userland?: { id?: string };
};

type SerializedError = { name: string; message: string; stack?: string; [k: string]: unknown };

type Outcome =
  | { type: "complete"; output: unknown; status: number }
  | { type: "error"; error: SerializedError; noRetry: boolean; retryAfter: string | null; status: number | null }
  | { type: "ops"; ops: Op[]; noRetry: boolean; retryAfter: string | null; status: number }
  | { type: "fail"; error: SerializedError };

type RunRow = {
  function_id: string;
  status: string;
  version: number;
  force_plan: boolean;
  payload: EventPayload;
  steps: [string, unknown][];
};

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
// Ops the engine understands; anything else fails the run with a clear error.
const KNOWN_OPS = new Set(["StepRun", "Step", "StepError", "StepFailed", "StepPlanned", "Sleep", "RunComplete", "DiscoveryRequest", "StepNotFound"]);

export class LeaseLost extends Error {
  override name = "LeaseLost";
}

/** Aborts requests when the engine stops; those items are released for another process. */
export type Inflight = { controllers: Set<AbortController>; stopping: boolean };

export async function processItem(ctx: Ctx, item: QueueItem, inflight: Inflight): Promise<QueueItem | null> {
  if (item.kind === "wake") return writeBack(ctx, item, null, ctx.clock(), (tx, it) => endSleep(ctx, tx, it, null));

  // One round trip: mark the run started (first call only) and load what the request needs.
  const runRes = await ctx.lightDb.query<RunRow & { started: boolean }>(
    `with started as (update runs set status = 'running', started_at = $2 where id = $1 and status = 'queued' returning id)
     select r.function_id, r.status, r.version, r.force_plan, e.payload, exists (select 1 from started) as started,
            coalesce((select json_agg(json_build_array(s.step_id, s.result) order by s.seq) from steps s where s.run_id = r.id), '[]') as steps
       from runs r join events e on e.internal_id = r.event_id where r.id = $1`,
    [item.run_id, iso(ctx.clock())],
  );
  const run = runRes.rows[0];
  if (!run || TERMINAL.has(run.status)) {
    await ctx.db.query("delete from queue where id = $1 and lease_token = $2", [item.id, item.lease_token]);
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
      await ctx.db.query(
        "update queue set state = 'queued', lease_token = null, lease_until = null where id = $1 and lease_token = $2",
        [item.id, item.lease_token],
      );
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

async function callSdk(
  ctx: Ctx,
  fn: FnDef,
  item: QueueItem,
  run: RunRow,
  inflight: Inflight,
): Promise<{ outcome: Outcome; version: number | null } | "stopped"> {
  const steps: Record<string, unknown> = {};
  const stack: string[] = [];
  for (const [id, result] of run.steps) {
    steps[id] = result;
    stack.push(id);
  }
  const body = {
    event: run.payload,
    events: [run.payload],
    steps,
    ctx: {
      run_id: item.run_id,
      attempt: item.attempt,
      max_attempts: fn.maxAttempts,
      disable_immediate_execution: run.force_plan,
      use_api: false,
      stack: { stack, current: stack.length },
      // fn_id + qi_id switch the SDK to async checkpointing (protocol §3.8): it runs consecutive
      // steps in this one request and reports each to POST /v1/checkpoint/:runId/async first.
      ...(ctx.opts.checkpoint && item.step_id === "step" && !run.force_plan
        ? { fn_id: fn.id, qi_id: `${item.id}.${item.lease_token}` }
        : {}),
    },
    version: run.version,
  };
  const url = new URL(fn.url);
  url.searchParams.set("fnId", fn.id);
  url.searchParams.set("stepId", item.step_id);

  const controller = new AbortController();
  inflight.controllers.add(controller);
  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ctx.opts.requestTimeoutMs);
  // Renew the lease at half-life; losing it means another process owns the item now.
  const renew = setInterval(() => {
    ctx.lightDb
      .query("update queue set lease_until = $3 where id = $1 and lease_token = $2 and state = 'running'", [
        item.id,
        item.lease_token,
        iso(ctx.clock() + ctx.opts.leaseMs),
      ])
      .then((r) => {
        if (!r.rowCount) controller.abort();
      })
      .catch(() => {});
  }, Math.max(50, ctx.opts.leaseMs / 2));

  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-run-id": item.run_id,
        "x-inngest-step-id": item.step_id,
        "x-inngest-req-version": String(run.version),
      },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await res.text();
    const versionHeader = Number(res.headers.get("x-inngest-req-version"));
    const version = Number.isInteger(versionHeader) && versionHeader > 0 ? versionHeader : null;
    return { outcome: interpret(res.status, res.headers, text), version };
  } catch (err) {
    if (inflight.stopping && !timedOut) return "stopped";
    const error: SerializedError = timedOut
      ? { name: "TimeoutError", message: `no response from ${url.origin}${url.pathname} within ${ctx.opts.requestTimeoutMs} ms` }
      : { name: "FetchError", message: `request to ${url.origin}${url.pathname} failed: ${describe(err)}` };
    return { outcome: { type: "error", error, noRetry: false, retryAfter: null, status: null }, version: null };
  } finally {
    clearTimeout(timeout);
    clearInterval(renew);
    inflight.controllers.delete(controller);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function interpret(status: number, headers: Headers, text: string): Outcome {
  const noRetry = headers.get("x-inngest-no-retry") === "true";
  const retryAfter = headers.get("retry-after");
  // Streaming responses: 201 + keep-alive whitespace + {status, headers, body} (protocol §3.9).
  if (status === 201) {
    const env = parseJson(text.trim());
    if (env.ok && env.value && typeof env.value === "object" && "status" in env.value) {
      const e = env.value as { status: number; headers?: Record<string, string>; body?: unknown };
      const h = new Headers(e.headers ?? {});
      return interpret(e.status, h, typeof e.body === "string" ? e.body : JSON.stringify(e.body ?? null));
    }
  }
  if (!headers.get("x-inngest-sdk") && status !== 201) {
    return {
      type: "error",
      error: { name: "NotAnSdkResponse", message: `HTTP ${status} without x-inngest-sdk header: ${text.slice(0, 300)}` },
      noRetry: false,
      retryAfter: null,
      status,
    };
  }
  if (status === 200) {
    const parsed = parseJson(text);
    return { type: "complete", output: parsed.ok ? parsed.value : text, status };
  }
  if (status === 206) {
    const parsed = parseJson(text);
    if (parsed.ok && Array.isArray(parsed.value) && parsed.value.every((o) => o && typeof o === "object" && typeof o.op === "string")) {
      return { type: "ops", ops: parsed.value as Op[], noRetry, retryAfter, status };
    }
    return {
      type: "error",
      error: { name: "InvalidResponse", message: `206 body is not an op list: ${text.slice(0, 300)}` },
      noRetry: false,
      retryAfter: null,
      status,
    };
  }
  const parsed = parseJson(text);
  const error: SerializedError =
    parsed.ok && parsed.value && typeof parsed.value === "object" && "message" in parsed.value
      ? ({ name: "Error", ...(parsed.value as object) } as SerializedError)
      : { name: "Error", message: `HTTP ${status}: ${text.slice(0, 500)}` };
  return { type: "error", error, noRetry, retryAfter, status };
}

type Applied = { next: QueueItem | null; releasedSlots: boolean; notify: boolean };

async function writeBack(
  ctx: Ctx,
  item: QueueItem,
  version: number | null,
  startedAt: number,
  apply: (tx: Tx, item: QueueItem) => Promise<Applied>,
): Promise<QueueItem | null> {
  let applied: Applied | null = null;
  try {
    applied = await withTx(ctx.db, async (tx) => {
      // Lock order everywhere: run row, then its queue rows. The join is the fence: no row means
      // the lease was lost (rescued and re-claimed) or the item is gone.
      const locked = await tx.query<{ status: string; attempt: number }>(
        `select r.status, q.attempt from runs r join queue q on q.run_id = r.id
          where r.id = $1 and q.id = $2 and q.lease_token = $3 and q.state = 'running' for update of r, q`,
        [item.run_id, item.id, item.lease_token],
      );
      if (!locked.rowCount) throw new LeaseLost();
      const status = locked.rows[0]?.status;
      if (!status || TERMINAL.has(status)) {
        await tx.query("delete from queue where id = $1", [item.id]);
        return { next: null, releasedSlots: item.ckeys.length > 0, notify: false };
      }
      if (version !== null) await tx.query("update runs set version = $2 where id = $1 and version = -1", [item.run_id, version]);
      // The attempt is re-read: a checkpoint during the request resets it (a step completed).
      const out = await apply(tx, { ...item, attempt: locked.rows[0]?.attempt ?? item.attempt });
      if (out.releasedSlots && item.ckeys.length) {
        await tx.query(
          "update queue set blocked = false, run_at = $2 where state = 'queued' and blocked and ckeys <> '{}' and ckeys && $1",
          [item.ckeys, iso(ctx.clock())],
        );
      }
      if (out.notify || out.releasedSlots) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
      return out;
    });
  } catch (err) {
    if (err instanceof LeaseLost) {
      ctx.log.warn("lease lost, result dropped", { run: item.run_id, step: item.step_id, after_ms: ctx.clock() - startedAt });
      return null;
    }
    throw err;
  }
  if (applied.notify || applied.releasedSlots) ctx.wake();
  return applied.next;
}

async function recordAttempt(
  tx: Tx,
  ctx: Ctx,
  item: QueueItem,
  a: {
    stepId: string;
    name?: string | null;
    outcome: string;
    status?: number | null;
    error?: unknown;
    retryAt?: number;
    startedAt: number;
    /** The instant a retry or wake-up was computed from, so retry_at − ended_at is the delay. */
    endedAt?: number;
  },
) {
  await tx.query(
    `insert into attempts (run_id, step_id, step_name, attempt, outcome, status_code, error, retry_at, started_at, ended_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      item.run_id,
      a.stepId,
      a.name ?? null,
      item.attempt,
      a.outcome,
      a.status ?? null,
      a.error === undefined ? null : JSON.stringify(a.error),
      a.retryAt === undefined ? null : iso(a.retryAt),
      iso(a.startedAt),
      iso(a.endedAt ?? ctx.clock()),
    ],
  );
}

async function applyOutcome(
  ctx: Ctx,
  tx: Tx,
  item: QueueItem,
  run: RunRow,
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
        if (!done) await enqueue(tx, ctx, item, "call", op.id, now);
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
        await enqueue(tx, ctx, item, "wake", op.id, wakeAt);
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
        break;
      default: {
        if (KNOWN_OPS.has(op.op) || op.op === "DeferAdd" || op.op === "DeferAbort") break;
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

async function endSleep(ctx: Ctx, tx: Tx, item: QueueItem, wasForced: boolean | null): Promise<Applied> {
  await saveStep(tx, ctx, item.run_id, item.step_id, null, "Sleep", null);
  ctx.log.info("sleep ended", { run: item.run_id, step: item.step_id });
  return advance(ctx, tx, item, false, wasForced);
}

async function enqueue(tx: Tx, ctx: Ctx, from: QueueItem, kind: "call" | "wake", stepId: string, runAt: number) {
  await tx.query(
    `insert into queue (run_id, kind, step_id, state, run_at, ckeys, climits) values ($1, $2, $3, 'queued', $4, $5, $6)
     on conflict (run_id, kind, step_id) do nothing`,
    [from.run_id, kind, stepId, iso(runAt), from.ckeys, from.climits],
  );
}

/** The common path in one round trip: memoise the result and record the successful attempt. */
async function saveStepOk(
  tx: Tx,
  ctx: Ctx,
  item: QueueItem,
  stepId: string,
  name: string | null,
  op: string,
  result: unknown,
  status: number,
  startedAt: number,
) {
  const now = iso(ctx.clock());
  await tx.query(
    `with s as (insert into steps (run_id, step_id, name, op, result, created_at) values ($1, $2, $3, $4, $5, $6)
                on conflict (run_id, step_id) do nothing)
     insert into attempts (run_id, step_id, step_name, attempt, outcome, status_code, started_at, ended_at)
     values ($1, $2, $3, $7, 'ok', $8, $9, $6)`,
    [item.run_id, stepId, name, op, JSON.stringify(result), now, item.attempt, status, iso(startedAt)],
  );
}

async function saveStep(tx: Tx, ctx: Ctx, runId: string, stepId: string, name: string | null, op: string, result: unknown) {
  // First result wins: a step re-run after a lost lease never replaces what was recorded.
  await tx.query(
    `insert into steps (run_id, step_id, name, op, result, created_at) values ($1, $2, $3, $4, $5, $6)
     on conflict (run_id, step_id) do nothing`,
    [runId, stepId, name, op, JSON.stringify(result), iso(ctx.clock())],
  );
}

async function scheduleRetry(
  ctx: Ctx,
  tx: Tx,
  item: QueueItem,
  retryAfter: string | null,
): Promise<{ retryAt: number; at: number }> {
  const now = ctx.clock();
  const delay = retryAfterMs(retryAfter, now) ?? backoffMs(item.attempt, ctx.random);
  const retryAt = now + delay * ctx.opts.timeScale;
  await tx.query(
    `update queue set attempt = attempt + 1, state = 'queued', run_at = $2, lease_token = null, lease_until = null, blocked = false
      where id = $1`,
    [item.id, iso(retryAt)],
  );
  return { retryAt, at: now };
}

async function finishRun(ctx: Ctx, tx: Tx, runId: string, status: "completed", output: unknown) {
  await tx.query("update runs set status = $2, output = $3, ended_at = $4 where id = $1", [
    runId,
    status,
    JSON.stringify(output ?? null),
    iso(ctx.clock()),
  ]);
  await tx.query("delete from queue where run_id = $1", [runId]);
  ctx.log.info("run completed", { run: runId });
}

/** Final failure: record it and emit inngest/function.failed (protocol §4) for the -failure handler. */
export async function failRun(ctx: Ctx, tx: Tx, runId: string, run: { function_id: string; payload: EventPayload }, error: SerializedError) {
  await tx.query("update runs set status = 'failed', error = $2, ended_at = $3 where id = $1", [
    runId,
    JSON.stringify(error),
    iso(ctx.clock()),
  ]);
  await tx.query("delete from queue where run_id = $1", [runId]);
  ctx.log.info("run failed", { run: runId, fn: run.function_id, error: error.message });
  // Runs started by lifecycle events do not emit more of them (no failure-handler loops).
  if (run.payload.name.startsWith("inngest/function.")) return;
  await ingestEvents(ctx, tx, [
    {
      id: runId,
      name: "inngest/function.failed",
      data: {
        function_id: run.function_id,
        run_id: runId,
        event: run.payload,
        events: [run.payload],
        error,
        _inngest: { status: "Failed" },
      },
      ts: ctx.clock(),
    },
  ]);
}

export type CheckpointResult = { status: 200 | 400 | 409; error?: string };

/**
 * POST /v1/checkpoint/:runId/async — step results the SDK reports during a checkpointed request.
 * Fenced like any write-back: the queue item named by qi_id must still hold its lease, else 409
 * (the SDK then stops as a stale dispatch). Each result is committed before the SDK continues.
 */
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
      id: queueId, run_id: runId, kind: "call", step_id: "step", attempt: row.attempt, lease_token: token, ckeys: row.ckeys, climits: row.climits,
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
