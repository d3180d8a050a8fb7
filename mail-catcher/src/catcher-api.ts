// JSON endpoints for tests and tooling under /_catcher/. No auth: the catcher is a local tool and
// binds to 127.0.0.1 by default.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { CatcherContext, RouteOutcome } from "./context";
import { MESSAGES, errorBody } from "./errors";
import { BodyTooLargeError, discardRest, readBody, sendJson } from "./http";
import type { StoredMessage } from "./types";

const MAX_CONTROL_BODY = 1024 * 1024;
const MAX_WAIT_MS = 60_000;

export async function handleCatcherApi(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: CatcherContext,
  url: URL,
): Promise<RouteOutcome> {
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
  const rest = url.pathname.slice("/_catcher".length);
  const to = url.searchParams.get("to") ?? undefined;

  if (rest === "/health" && method === "GET") {
    sendJson(res, 200, { ok: true, messages: ctx.store.size });
    return {};
  }
  if (rest === "/messages") {
    if (method === "GET") {
      const count = intParam(url, "count", 1);
      const waitMs = Math.min(intParam(url, "wait", 0), MAX_WAIT_MS);
      const list = waitMs > 0 ? await waitForMessages(ctx, { to, count, timeoutMs: waitMs }, req) : ctx.store.list({ to });
      sendJson(res, 200, list);
      return {};
    }
    if (method === "DELETE") {
      sendJson(res, 200, { deleted: await ctx.store.clear() });
      return {};
    }
    return methodNotAllowed(res, "GET, DELETE");
  }
  const messageId = /^\/messages\/([^/]+)$/.exec(rest)?.[1];
  if (messageId !== undefined) {
    if (method !== "GET") return methodNotAllowed(res, "GET");
    const message = ctx.store.get(safeDecode(messageId));
    if (message) sendJson(res, 200, message);
    else sendJson(res, 404, errorBody(404, "not_found", "Message not found"));
    return {};
  }
  if (rest === "/requests") {
    if (method === "GET") {
      sendJson(res, 200, ctx.attempts.list({ to }));
      return {};
    }
    if (method === "DELETE") {
      clearRequestLog(ctx);
      sendJson(res, 200, { ok: true });
      return {};
    }
    return methodNotAllowed(res, "GET, DELETE");
  }
  if (rest === "/counters") {
    if (method !== "GET") return methodNotAllowed(res, "GET");
    sendJson(res, 200, ctx.counters.snapshot());
    return {};
  }
  if (rest === "/faults") {
    if (method === "GET") {
      sendJson(res, 200, ctx.faults.list());
      return {};
    }
    if (method === "PUT" || method === "POST") {
      const body = await readJson(req, res);
      if (body === NO_BODY) return {};
      try {
        if (method === "PUT") sendJson(res, 200, ctx.faults.set(body));
        else sendJson(res, 201, ctx.faults.add(body));
      } catch (error) {
        if (!(error instanceof z.ZodError)) throw error;
        sendJson(res, 422, errorBody(422, "validation_error", describeRuleIssue(error)));
      }
      return {};
    }
    if (method === "DELETE") {
      ctx.faults.clear();
      sendJson(res, 200, { ok: true });
      return {};
    }
    return methodNotAllowed(res, "GET, PUT, POST, DELETE");
  }
  const faultId = /^\/faults\/([^/]+)$/.exec(rest)?.[1];
  if (faultId !== undefined) {
    if (method !== "DELETE") return methodNotAllowed(res, "DELETE");
    if (ctx.faults.remove(safeDecode(faultId))) sendJson(res, 200, { ok: true });
    else sendJson(res, 404, errorBody(404, "not_found", "Fault rule not found"));
    return {};
  }
  if (rest === "/reset" && method === "POST") {
    await resetAll(ctx);
    sendJson(res, 200, { ok: true });
    return {};
  }
  sendJson(res, 404, errorBody(404, "not_found", "Unknown mail-catcher endpoint"));
  return {};
}

/** The request log, the conventions' counters and the call counters. */
export function clearRequestLog(ctx: CatcherContext): void {
  ctx.attempts.clear();
  ctx.faults.resetCounters();
  ctx.counters.clear();
}

/** Messages, idempotency records, request log, fault rules, counters, rate-limit windows: a clean slate. */
export async function resetAll(ctx: CatcherContext): Promise<void> {
  ctx.faults.clear();
  clearRequestLog(ctx);
  ctx.limiter?.reset();
  await ctx.store.clear();
}

/**
 * Resolves with the matching messages as soon as there are at least `count`, or with whatever
 * there is when `timeoutMs` passes, the catcher stops, or the client goes away.
 */
export function waitForMessages(
  ctx: CatcherContext,
  options: { to?: string; count: number; timeoutMs: number },
  req?: IncomingMessage,
): Promise<StoredMessage[]> {
  const current = () => ctx.store.list({ to: options.to });
  const first = current();
  if (first.length >= options.count || ctx.signal.aborted) return Promise.resolve(first);
  return new Promise((resolve) => {
    const check = () => {
      const list = current();
      if (list.length >= options.count) finish(list);
    };
    const finish = (list = current()) => {
      clearTimeout(timer);
      ctx.store.events.off("change", check);
      ctx.signal.removeEventListener("abort", onEnd);
      req?.socket.off("close", onEnd);
      resolve(list);
    };
    const onEnd = () => finish();
    const timer = setTimeout(onEnd, options.timeoutMs);
    ctx.store.events.on("change", check);
    ctx.signal.addEventListener("abort", onEnd, { once: true });
    req?.socket.once("close", onEnd);
  });
}

const NO_BODY = Symbol("no body");

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  try {
    return JSON.parse((await readBody(req, MAX_CONTROL_BODY)).toString("utf8"));
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      discardRest(req, MAX_CONTROL_BODY * 4);
      sendJson(res, 413, errorBody(413, "validation_error", "The request body is larger than 1 MB."), { connection: "close" });
    } else if (error instanceof SyntaxError) {
      sendJson(res, 400, errorBody(400, "validation_error", MESSAGES.invalidJson));
    } else {
      throw error;
    }
    return NO_BODY;
  }
}

function describeRuleIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid fault rule.";
  const where = issue.path.map(String).join(".");
  return where ? `Invalid fault rule at \`${where}\`: ${issue.message}` : `Invalid fault rules: ${issue.message}`;
}

function methodNotAllowed(res: ServerResponse, allow: string): RouteOutcome {
  sendJson(res, 405, errorBody(405, "method_not_allowed", `Method not allowed. Allowed: ${allow}.`), { allow });
  return {};
}

function intParam(url: URL, name: string, fallback: number): number {
  const value = Number(url.searchParams.get(name));
  return url.searchParams.has(name) && Number.isInteger(value) && value >= 0 ? value : fallback;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
