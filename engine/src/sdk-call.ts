// One HTTP request to the app's SDK for a claimed queue item (protocol §3.1), and `interpret`,
// which turns the SDK's answer into an Outcome. No database writes here besides lease renewal.
import http from "node:http";
import https from "node:https";
import type { Ctx } from "./context";
import { iso } from "./db";
import { batchEventsOf } from "./flow-control/batch";
import type { FnDef } from "./functions";
import { mayHoldUnstorable } from "./unstorable";
import type { RunState } from "./run-store";
import type { Op, QueueItem, SerializedError } from "./types";

export type Outcome =
  | { type: "complete"; output: unknown; status: number }
  | { type: "error"; error: SerializedError; noRetry: boolean; retryAfter: string | null; status: number | null }
  | { type: "ops"; ops: Op[]; noRetry: boolean; retryAfter: string | null; status: number }
  | { type: "fail"; error: SerializedError };

/** Aborts requests when the engine stops (after its grace period); those items are released to the queue. */
export type Inflight = { aborts: Set<() => void>; stopping: boolean };

export async function callSdk(
  ctx: Ctx,
  fn: FnDef,
  item: QueueItem,
  run: RunState,
  inflight: Inflight,
): Promise<{ outcome: Outcome; version: number | null; bytes: number; suspect: boolean } | "stopped"> {
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

  let timedOut = false;
  let abort: ((err: Error) => void) | null = null;
  const stop = () => abort?.(new Error("engine stopping"));
  inflight.aborts.add(stop);
  const timeout = setTimeout(() => {
    timedOut = true;
    abort?.(new Error("request timeout"));
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
        if (!r.rowCount) abort?.(new Error("lease lost"));
      })
      .catch(() => {});
  }, Math.max(50, ctx.opts.leaseMs / 2));

  try {
    // Signed mode: canonical JSON plus X-Inngest-Signature, which an SDK in cloud mode verifies.
    const wire = ctx.auth.encode(body);
    const res = await post(
      url,
      {
        "content-type": "application/json",
        "x-run-id": item.run_id,
        "x-inngest-step-id": item.step_id,
        "x-inngest-req-version": String(run.version),
        ...wire.headers,
      },
      wire.text,
      (fn) => (abort = fn),
    );
    const versionHeader = Number(res.headers.get("x-inngest-req-version"));
    const version = Number.isInteger(versionHeader) && versionHeader > 0 ? versionHeader : null;
    const outcome = interpret(res.status, res.headers, res.text);
    // The SDK's 401 (bad or missing signature) strips its x-inngest-* headers: say why plainly.
    if (res.status === 401 && outcome.type === "error") outcome.error = { name: "Unauthorized", message: `HTTP 401 from the app: ${ctx.auth.refusalHint()}` };
    // `suspect`: the answer may hold a character jsonb cannot store (ops.ts `answerRefusal`).
    return { outcome, version, bytes: res.bytes, suspect: mayHoldUnstorable(res.text) };
  } catch (err) {
    if (inflight.stopping && !timedOut) return "stopped";
    if (err instanceof ResponseTooLarge) {
      const error = { name: "OutputTooLarge", message: `the app's response from ${url.origin}${url.pathname} is over ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB, Inngest's limit for one SDK response (a step's output and input); return less from the step — store large data elsewhere and return a reference` };
      return { outcome: { type: "error", error, noRetry: false, retryAfter: null, status: null }, version: null, bytes: 0, suspect: false };
    }
    const error: SerializedError = timedOut
      ? { name: "TimeoutError", message: `no response from ${url.origin}${url.pathname} within ${ctx.opts.requestTimeoutMs} ms` }
      : { name: "FetchError", message: `request to ${url.origin}${url.pathname} failed: ${describe(err)}` };
    return { outcome: { type: "error", error, noRetry: false, retryAfter: null, status: null }, version: null, bytes: 0, suspect: false };
  } finally {
    clearTimeout(timeout);
    clearInterval(renew);
    inflight.aborts.delete(stop);
  }
}

/**
 * Inngest's limit on one SDK response (MaxSDKResponseBodySize: a step's 4 MiB output plus its 4 MiB
 * input). A longer body is not read: the attempt fails with OutputTooLarge and is retried like any
 * error, as Inngest does. Read whole, a body past V8's string limit (~511 MiB) threw inside the
 * socket's data handler — uncaught, the engine's end — each time the step ran, until the rescue
 * cap failed the run.
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
class ResponseTooLarge extends Error {}

/** What `interpret` reads of a response's headers (a WHATWG `Headers` fits too). */
export type HeaderView = { get(name: string): string | null };

// Keep-alive connections to the apps. `timeout` is how long a connection may sit idle; Node lowers
// it to the app's `Keep-Alive: timeout` hint minus 1 s (so a connection is never reused just as the
// app closes it), but only when a timeout is set at all. Node's http client rather than `fetch`:
// per request it costs a fraction of the CPU (no WHATWG streams, signals or header lists), and the
// bench showed fetch as the largest share of the engine's CPU per step.
const agents = { "http:": new http.Agent({ keepAlive: true, timeout: 4000, scheduling: "lifo" }), "https:": new https.Agent({ keepAlive: true, timeout: 4000, scheduling: "lifo" }) };

/**
 * One POST; resolves with the whole response, rejects on a connection error or when `onAbortable`'s
 * function is called (timeout, lease lost, engine stopping). Never resent: a request that may have
 * reached the app is the engine's retry to make, counted as an attempt. `bytes`: request and
 * response bodies together, a bound the state-size check uses (ops.ts `answerRefusal`).
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  onAbortable: (abort: (err: Error) => void) => void,
): Promise<{ status: number; headers: HeaderView; text: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const sent = Buffer.byteLength(body);
    const req = client.request(url, {
      method: "POST",
      agent: agents[url.protocol === "https:" ? "https:" : "http:"],
      headers: { ...headers, "content-length": String(sent) },
    });
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      req.destroy();
      reject(err);
    };
    onAbortable(fail);
    req.on("error", fail);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_RESPONSE_BYTES) fail(new ResponseTooLarge());
        else chunks.push(chunk);
      });
      res.on("error", fail);
      // The app closed the connection before the body was complete.
      res.on("close", () => {
        if (!res.complete) fail(new Error("the app closed the connection mid-response"));
      });
      res.on("end", () => {
        if (done) return;
        done = true;
        const h = res.headers;
        resolve({
          status: res.statusCode ?? 0,
          headers: { get: (name) => { const v = h[name.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v; } },
          text: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"),
          bytes: sent + bytes,
        });
      });
    });
    req.end(body);
  });
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
export function interpret(status: number, headers: HeaderView, text: string): Outcome {
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
