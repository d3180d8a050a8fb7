// HTTP surface: the event API and /fn/register the SDK calls, the operator read API, the status
// JSON and the browser UI (ui/). Every handler is wrapped so bad input ends as a clear 4xx and no
// error escapes the process.
import http from "node:http";
import type { AppPoller } from "./app-poller";
import { AppHostRefused } from "./auth";
import type { Ctx } from "./context";
import { checkpoint } from "./checkpoint";
import { withTx } from "./db";
import { acceptEvents } from "./events";
import { SyncError } from "./functions";
import { startDelayMs, validateEvent, type IncomingEvent } from "./ingest";
import { ingestFast } from "./ingest-fast";
import { mayHoldUnstorable, unstorableIn, unstorableRefusal } from "./unstorable";
import { cancelRun, eventRuns, getEvent, getRun, listEvents, listRuns, status } from "./read-api";
import { RegistryChanged } from "./registry";
import { register } from "./sync";
import { logUnheard } from "./ui/data";
import { isUiPath, type Ui } from "./ui/routes";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handlers = { upcoming: () => unknown; apps: AppPoller; ui: Ui };

function send(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(new HttpError(413, `body of ${declared} bytes exceeds the ${limit}-byte limit`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `body exceeds the ${limit}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (err) => {
      if (!failed) reject(new HttpError(400, `could not read body: ${err.message}`));
    });
  });
}

function parseJsonBody(text: string): unknown {
  if (!text.trim()) throw new HttpError(400, "empty body; expected JSON");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
}

export function createServer(ctx: Ctx, h: Handlers): http.Server {
  const server = http.createServer((req, res) => {
    handle(ctx, h, req, res).catch((err: unknown) => {
      if (err instanceof HttpError) send(res, err.status, { error: err.message });
      else {
        ctx.log.warn("request failed", { method: req.method, url: req.url, error: (err as Error)?.message });
        send(res, 500, { error: "internal error" });
      }
    });
  });
  server.on("clientError", (_err, socket) => {
    socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
  });
  // Keep-alive sockets from the SDK outlive requests; make sure they close on stop.
  server.keepAliveTimeout = 5000;
  return server;
}

async function handle(ctx: Ctx, h: Handlers, req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? "/", "http://engine.local");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";
  let m: RegExpExecArray | null;

  // Host, keys (signed mode) and content type, before anything is read (auth.ts).
  const refused = ctx.auth.check(req, path, method, isUiPath(path));
  if (refused) return send(res, refused.status, refused.body, refused.headers);

  // Event API (protocol §2): POST /e/:key, body is an array of events (a single object is accepted).
  if ((m = /^\/e\/([^/]+)$/.exec(path))) {
    if (method !== "POST") throw new HttpError(405, "use POST");
    let body: unknown;
    let text: string;
    try {
      text = await readBody(req, ctx.opts.maxBodyBytes);
      body = parseJsonBody(text);
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, { ids: [], status: err.status, error: err.message });
      throw err;
    }
    const list = Array.isArray(body) ? body : [body];
    if (!list.length) return send(res, 400, { ids: [], status: 400, error: "no events in body" });
    const events: IncomingEvent[] = [];
    const wallNow = Date.now(); // senders stamp `ts` with the wall clock, not the engine clock
    const suspect = mayHoldUnstorable(text);
    for (const [i, raw] of list.entries()) {
      const v = validateEvent(raw, i, suspect);
      if (typeof v === "string") return send(res, 400, { ids: [], status: 400, error: v });
      events.push({ ...v, delayMs: startDelayMs(v.ts, wallNow) });
    }
    const seedHeader = req.headers["x-inngest-event-id-seed"];
    const seed = typeof seedHeader === "string" ? seedHeader : null;
    let reserved = 0;
    const direct = { reserve: () => ctx.reserveSlot() && ++reserved > 0 };
    let result;
    for (let attempt = 1; ; attempt++) {
      // Functions synced through another engine process since this one loaded its registry: the
      // statement that stores the events notices and writes nothing (RegistryChanged), and the
      // registry is reloaded before the next try.
      const version = ctx.registry.versionForTry(attempt);
      try {
        // The common case in one statement (ingest-fast.ts); else the general transaction.
        result = await ingestFast(ctx, events, seed, direct, version);
        if (result) break;
        ctx.dispatch(reserved, []);
        reserved = 0;
        result = await withTx(ctx.db, (tx) => acceptEvents(ctx, tx, events, seed, direct, version));
        break;
      } catch (err) {
        // Nothing was written or leased. Resolving waits locks runs, so a rare deadlock with a
        // worker is retried; anything else gives the reserved slots back and fails the request.
        ctx.dispatch(reserved, []);
        reserved = 0;
        if (err instanceof RegistryChanged) {
          await ctx.registry.reload();
          continue;
        }
        if ((err as { code?: string }).code === "40P01" && attempt < 3) continue;
        throw err;
      }
    }
    ctx.dispatch(reserved, result.claimed, result.carried);
    if (result.queued) ctx.wake();
    logUnheard(ctx, result.fresh);
    return send(res, 200, { ids: result.ids, status: 200 });
  }

  // Out-of-band sync (protocol §1.3). The SDK reads `status`/`error` from the body.
  if (path === "/fn/register") {
    if (method !== "POST") throw new HttpError(405, "use POST");
    const body = parseJsonBody(await readBody(req, ctx.opts.maxBodyBytes)) as Record<string, unknown>;
    try {
      const r = await register(ctx, {
        appId: String(body.appName ?? body.app_id ?? ""),
        url: String(body.url ?? ""),
        sdk: typeof body.sdk === "string" ? body.sdk : undefined,
        functions: body.functions as unknown[],
      });
      return send(res, 200, { ok: true, modified: true, status: 200, functions: r.functions });
    } catch (err) {
      if (err instanceof AppHostRefused) return send(res, 403, { ok: false, status: 403, error: err.message });
      if (err instanceof SyncError) return send(res, 400, { ok: false, status: 400, error: err.message });
      throw err;
    }
  }

  // SDK calls to APIs this engine does not have: a clear 501 naming the feature (the SDK puts the
  // status text into its error), never a 404 that looks like a transient failure.
  const missing = unsupportedApi(path);
  if (missing) {
    const runId = missing.runId ?? url.searchParams.get("run_id");
    // The run's next error then fails it at once, naming the feature (ops.ts), instead of retrying.
    if (runId) await ctx.db.query("update runs set refused = coalesce(refused, $2) where id = $1", [runId, missing.feature]).catch(() => {});
    req.resume();
    ctx.log.warn("unsupported API called", { method, path, feature: missing.feature, run: runId ?? undefined });
    const message = `${missing.feature} is not supported by this engine`;
    if (res.headersSent) return;
    const text = JSON.stringify({ error: message, feature: missing.feature, status: 501 });
    res.writeHead(501, message.replace(/[^\x20-\x7e]/g, "-"), { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    return res.end(text);
  }

  if ((m = /^\/v1\/checkpoint\/([^/]+)\/async$/.exec(path))) {
    if (method !== "POST") throw new HttpError(405, "use POST");
    const text = await readBody(req, ctx.opts.maxBodyBytes);
    const body = parseJsonBody(text);
    if (!body || typeof body !== "object") throw new HttpError(400, "body must be an object");
    const found = mayHoldUnstorable(text) ? unstorableIn(body) : null;
    if (found) throw new HttpError(400, unstorableRefusal("the checkpoint", found));
    const r = await checkpoint(ctx, decodeURIComponent(m[1] ?? ""), body as Record<string, unknown>);
    return send(res, r.status, r.status === 200 ? {} : { error: r.error });
  }

  if (path === "/v1/apps/sync" || path === "/v1/apps") {
    if (method === "GET" && path === "/v1/apps") return send(res, 200, { data: (await status(ctx, [])).apps });
    if (method !== "POST" || path !== "/v1/apps/sync") throw new HttpError(405, "use POST /v1/apps/sync");
    const body = parseJsonBody(await readBody(req, 64 * 1024)) as { url?: unknown };
    if (typeof body?.url !== "string" || !/^https?:\/\//.test(body.url)) throw new HttpError(400, '"url" must be an http(s) URL');
    try {
      return send(res, 200, { data: await h.apps.syncNow(body.url) });
    } catch (err) {
      if (err instanceof AppHostRefused) return send(res, 403, { error: err.message });
      if (err instanceof SyncError) return send(res, 422, { error: err.message });
      throw err;
    }
  }
  if (path === "/v1/functions" && method === "GET") return send(res, 200, { data: (await status(ctx, [])).functions });

  if ((m = /^\/v1\/events\/([^/]+)\/runs$/.exec(path)) && method === "GET") {
    return send(res, 200, await eventRuns(ctx, decodeURIComponent(m[1] ?? "")));
  }
  if ((m = /^\/v1\/events\/([^/]+)$/.exec(path)) && method === "GET") {
    const ev = await getEvent(ctx, decodeURIComponent(m[1] ?? ""));
    return ev ? send(res, 200, ev) : send(res, 404, { error: "event not found" });
  }
  if (path === "/v1/events" && method === "GET") return send(res, 200, await listEvents(ctx, url.searchParams));
  if (path === "/v1/runs" && method === "GET") return send(res, 200, await listRuns(ctx, url.searchParams));
  if ((m = /^\/v1\/runs\/([^/]+)(\/cancel)?$/.exec(path))) {
    const runId = decodeURIComponent(m[1] ?? "");
    const isCancel = method === "DELETE" || (method === "POST" && m[2] === "/cancel");
    if (method === "GET" && !m[2]) {
      const run = await getRun(ctx, runId);
      return run ? send(res, 200, run) : send(res, 404, { error: "run not found" });
    }
    if (isCancel) {
      const r = await cancelRun(ctx, runId);
      if (!r.found) return send(res, 404, { error: "run not found" });
      if (!r.cancelled) return send(res, 409, { error: `run already ${r.run.status.toLowerCase()}`, data: r.run });
      return send(res, 200, { data: r.run });
    }
    throw new HttpError(405, "method not allowed");
  }

  // The status as JSON at a stable URL; `/` gives it too to anything that is not a browser.
  if (path === "/v1/status" && method === "GET") return send(res, 200, await status(ctx, h.upcoming()));
  if (path === "/" && method === "GET") {
    const wantsJson = url.searchParams.get("format") === "json" || !(req.headers.accept ?? "").includes("text/html");
    if (wantsJson) return send(res, 200, await status(ctx, h.upcoming()));
    return h.ui.home(res);
  }
  if (path === "/health") return send(res, 200, { ok: true });
  if (isUiPath(path)) return h.ui.handle(req, res, url, path);

  throw new HttpError(404, `no route for ${method} ${path}`);
}

/** Inngest API paths the SDK may call that this engine does not implement (notes §13.8). */
function unsupportedApi(path: string): { feature: string; runId?: string } | null {
  let m: RegExpExecArray | null;
  if (path.startsWith("/v1/realtime")) return { feature: "realtime (step.realtime.publish, inngest.realtime, subscription tokens)" };
  if ((m = /^\/v1\/runs\/([^/]+)\/metadata$/.exec(path))) return { feature: "run metadata (step.metadata / metadataMiddleware)", runId: decodeURIComponent(m[1] ?? "") };
  if (path === "/v1/signals") return { feature: "signals (step.sendSignal / inngest.sendSignal)" };
  if (path === "/v1/traces/userland") return { feature: "extended traces (extendedTracesMiddleware)" };
  if (path === "/v1/checkpoint" || /^\/v1\/checkpoint\/[^/]+\/steps$/.test(path) || path.startsWith("/v1/http/runs/")) {
    return { feature: "durable endpoints (sync-mode checkpoints)" };
  }
  if (/^\/v0\/runs\/[^/]+\/(actions|batch)$/.test(path)) return { feature: "use_api state fetching" };
  if (path.startsWith("/v0/connect")) return { feature: "connect() workers" };
  if (path.startsWith("/v2/sandboxes") || path.startsWith("/v2/snapshots")) return { feature: "sandboxes" };
  return null;
}
