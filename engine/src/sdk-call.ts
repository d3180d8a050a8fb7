// One HTTP request to the app's SDK for a claimed queue item (protocol §3.1), and `interpret`,
// which turns the SDK's answer into an Outcome. No database writes here besides lease renewal.
import type { Ctx } from "./context";
import { iso } from "./db";
import { batchEventsOf } from "./flow-control/batch";
import type { FnDef } from "./functions";
import type { RunState } from "./run-store";
import type { Op, QueueItem, SerializedError } from "./types";

export type Outcome =
  | { type: "complete"; output: unknown; status: number }
  | { type: "error"; error: SerializedError; noRetry: boolean; retryAfter: string | null; status: number | null }
  | { type: "ops"; ops: Op[]; noRetry: boolean; retryAfter: string | null; status: number }
  | { type: "fail"; error: SerializedError };

/** Aborts requests when the engine stops; those items are released for another process. */
export type Inflight = { controllers: Set<AbortController>; stopping: boolean };

export async function callSdk(
  ctx: Ctx,
  fn: FnDef,
  item: QueueItem,
  run: RunState,
  inflight: Inflight,
): Promise<{ outcome: Outcome; version: number | null } | "stopped"> {
  const steps: Record<string, unknown> = {};
  const stack: string[] = [];
  for (const [id, result] of run.steps) {
    steps[id] = result;
    stack.push(id);
  }
  // batchEvents: a batch run's request carries the whole batch; `event` is its first event.
  const events = (fn.flow?.batch && (await batchEventsOf(ctx.db, item.run_id))) || [run.payload];
  const body = {
    event: run.payload,
    events,
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

/** The SDK's answer → an Outcome (protocol §3.3): 200 complete, 206 ops, anything else an error. */
export function interpret(status: number, headers: Headers, text: string): Outcome {
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
