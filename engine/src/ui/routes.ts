// The developer's window: a browser UI on the engine's own port (server-rendered HTML, one small
// script, no external assets). Pages: /runs (home; `/` for a browser), /runs/:id, /events,
// /events/new, /events/:id, /functions, /functions/:id, /apps. Live parts follow /ui/live, a
// server-sent-events stream that speaks only when the engine's state changed.
//
// State-changing actions are `POST /ui/api/…` with a JSON body, `x-engine-ui: 1` and, when the
// browser sends one, a same-origin `Origin`: a cross-site form cannot set the header or the JSON
// content type without a CORS preflight, which the engine never grants. Every UI request must also
// name this machine in `Host` (no DNS-rebinding page can reach it under its own name).
import type http from "node:http";
import type { AppPoller } from "../app-poller";
import type { Ctx } from "../context";
import type { FnDef } from "../functions";
import { cancelRun } from "../read-api";
import { ActionError, invokeFunction, replayEvent, rerun, sendEvents } from "./actions";
import { CSS, JS } from "./assets";
import { getEvent, getRunDetail, listApps, listEvents, listeners, listRuns, recentEventNames, runFunctionIds, stateVersion } from "./data";
import { RUN_STATUSES } from "./html";
import {
  appsPage,
  eventPage,
  eventsPage,
  functionPage,
  functionsPage,
  notFoundPage,
  runPage,
  runsPage,
  sendPage,
  syncAlert,
  type Schedule,
} from "./pages";

export type UiDeps = { apps: AppPoller; upcoming: () => Schedule[]; host: string };

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, status: number, text: string) {
  if (res.headersSent) return;
  res.writeHead(status, { ...PAGE_HEADERS, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new ActionError(413, `body exceeds the ${limit}-byte limit`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (!text.trim()) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ActionError(400, "the body is not valid JSON"));
      }
    });
    req.on("error", (err) => reject(new ActionError(400, err.message)));
  });
}

const UI_PAGES = /^\/(runs|events|functions|apps)(\/|$)/;

/** Whether this request is the UI's (the caller answers everything else). */
export function isUiPath(path: string): boolean {
  return path.startsWith("/ui/") || UI_PAGES.test(path);
}

export class Ui {
  private clients = new Set<http.ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private version = "";
  private checking = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly deps: UiDeps,
  ) {}

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  /** `GET /` from a browser: the runs page is the home page. */
  home(res: http.ServerResponse) {
    res.writeHead(303, { location: "/runs", "cache-control": "no-store" });
    res.end();
  }

  /** Answers a UI request (`isUiPath`). */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string): Promise<void> {
    const method = req.method ?? "GET";
    if (!this.hostAllowed(req)) return sendJson(res, 421, { error: "this UI answers only requests addressed to this machine (Host)" });
    if (method === "POST" && path.startsWith("/ui/api/")) return this.action(req, res, path);
    if (method !== "GET" && method !== "HEAD") return sendJson(res, 405, { error: "use GET (pages) or POST /ui/api/… (actions)" });
    if (path === "/ui/app.css") return this.asset(res, "text/css; charset=utf-8", CSS);
    if (path === "/ui/app.js") return this.asset(res, "text/javascript; charset=utf-8", JS);
    if (path === "/ui/live") return this.live(req, res);
    return sendHtml(res, ...(await this.page(url, path)));
  }

  private hostAllowed(req: http.IncomingMessage): boolean {
    const host = req.headers.host;
    if (!host) return false;
    let name: string;
    try {
      name = new URL(`http://${host}`).hostname;
    } catch {
      return false;
    }
    return LOOPBACK.has(name) || name === this.deps.host || name === `[${this.deps.host}]`;
  }

  private asset(res: http.ServerResponse, type: string, body: string) {
    res.writeHead(200, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-cache", "x-content-type-options": "nosniff" });
    res.end(body);
  }

  private fnMap(): Map<string, FnDef> {
    return new Map(this.ctx.registry.all().map((f) => [f.id, f]));
  }

  private async alert() {
    return syncAlert(await listApps(this.ctx), this.deps.apps.list());
  }

  private async page(url: URL, path: string): Promise<[number, string]> {
    const ctx = this.ctx;
    const q = url.searchParams;
    const now = ctx.clock();
    const alert = await this.alert();
    const limit = (fallback: number) => {
      const n = Number(q.get("limit") ?? fallback);
      return Number.isInteger(n) && n > 0 ? Math.min(n, 1000) : fallback;
    };
    let m: RegExpExecArray | null;
    if (path === "/runs") {
      const status = q.get("status") || null;
      const filter = { fn: q.get("function") || null, status: status && RUN_STATUSES.includes(status) ? status : null, limit: limit(100) };
      const [runs, fnIds] = await Promise.all([listRuns(ctx, filter), runFunctionIds(ctx)]);
      return [200, runsPage({ runs, fns: this.fnMap(), fnIds, filter, now, alert })];
    }
    if ((m = /^\/runs\/([^/]+)$/.exec(path))) {
      const d = await getRunDetail(ctx, decodeURIComponent(m[1] ?? ""));
      return d ? [200, runPage(d, this.fnMap(), now, alert)] : [404, notFoundPage("There is no run with this id.", alert)];
    }
    if (path === "/events") {
      const filter = { name: q.get("name")?.trim() || null, internal: q.get("internal") === "1", limit: limit(100) };
      const [events, names] = await Promise.all([listEvents(ctx, filter), recentEventNames(ctx)]);
      return [200, eventsPage({ events, listeners: (e) => listeners(ctx, e.payload), fns: this.fnMap(), names, filter, alert })];
    }
    if (path === "/events/new") {
      const selected = ctx.registry.get(q.get("function") ?? "") ?? null;
      const from = q.get("from") ? ((await getEvent(ctx, q.get("from")!))?.payload ?? null) : null;
      return [200, sendPage({ fns: ctx.registry.all().sort((a, b) => a.id.localeCompare(b.id)), selected, from, names: await recentEventNames(ctx), alert })];
    }
    if ((m = /^\/events\/([^/]+)$/.exec(path))) {
      const e = await getEvent(ctx, decodeURIComponent(m[1] ?? ""));
      return e ? [200, eventPage(e, listeners(ctx, e.payload), this.fnMap(), alert)] : [404, notFoundPage("There is no event with this id.", alert)];
    }
    if (path === "/functions") return [200, functionsPage({ fns: ctx.registry.all(), schedules: this.deps.upcoming(), alert })];
    if ((m = /^\/functions\/([^/]+)$/.exec(path))) {
      const fn = ctx.registry.get(decodeURIComponent(m[1] ?? ""));
      if (!fn) return [404, notFoundPage("No synced function has this id (it may have been removed from its app).", alert)];
      const runs = await listRuns(ctx, { fn: fn.id, status: null, limit: 20 });
      return [200, functionPage({ fn, schedules: this.deps.upcoming(), runs, fns: this.fnMap(), now, alert })];
    }
    if (path === "/apps") {
      return [200, appsPage({ apps: await listApps(ctx), watch: this.deps.apps.list(), pollMs: this.deps.apps.intervalMs, alert })];
    }
    return [404, notFoundPage(`There is no page at ${path}.`, alert)];
  }

  private async action(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
    const type = req.headers["content-type"] ?? "";
    const origin = req.headers.origin;
    const site = req.headers["sec-fetch-site"];
    if (
      req.headers["x-engine-ui"] !== "1" ||
      !/^application\/json\b/i.test(type) ||
      (origin !== undefined && origin !== `http://${req.headers.host}`) ||
      (site !== undefined && site !== "same-origin" && site !== "none")
    ) {
      req.resume();
      return sendJson(res, 403, { error: "UI actions must come from the engine's own pages (same origin, JSON, x-engine-ui header)" });
    }
    try {
      const body = await readJson(req, this.ctx.opts.maxBodyBytes);
      let m: RegExpExecArray | null;
      if (path === "/ui/api/events") {
        const list = Array.isArray(body) ? body : [body];
        const ids = await sendEvents(this.ctx, list);
        return sendJson(res, 200, { ids, message: `Sent ${ids.length} event${ids.length === 1 ? "" : "s"}.`, location: `/events/${ids[0]}` });
      }
      if ((m = /^\/ui\/api\/events\/([^/]+)\/replay$/.exec(path))) {
        const id = await replayEvent(this.ctx, decodeURIComponent(m[1] ?? ""));
        return sendJson(res, 200, { ids: [id], message: "Sent again as a new event.", location: `/events/${id}` });
      }
      if ((m = /^\/ui\/api\/functions\/([^/]+)\/invoke$/.exec(path))) {
        const id = await invokeFunction(this.ctx, decodeURIComponent(m[1] ?? ""), body);
        return sendJson(res, 200, { ids: [id], message: "Invoked.", location: `/events/${id}` });
      }
      if ((m = /^\/ui\/api\/runs\/([^/]+)\/cancel$/.exec(path))) {
        const r = await cancelRun(this.ctx, decodeURIComponent(m[1] ?? ""));
        if (!r.found) throw new ActionError(404, "run not found");
        if (!r.cancelled) throw new ActionError(409, `The run already ended (${r.run.status.toLowerCase()}).`);
        return sendJson(res, 200, { message: "Cancelled." });
      }
      if ((m = /^\/ui\/api\/runs\/([^/]+)\/rerun$/.exec(path))) {
        const id = await rerun(this.ctx, decodeURIComponent(m[1] ?? ""));
        return sendJson(res, 200, { run_id: id, message: "A new run started.", location: `/runs/${id}` });
      }
      if (path === "/ui/api/apps/sync") {
        const url = (body as { url?: unknown })?.url;
        if (typeof url !== "string" || !/^https?:\/\//.test(url)) throw new ActionError(422, '"url" must be an http(s) URL');
        try {
          const r = await this.deps.apps.syncNow(url);
          return sendJson(res, 200, { message: `Synced ${r.functions.length} function${r.functions.length === 1 ? "" : "s"}.`, data: r });
        } catch (err) {
          throw new ActionError(422, `Sync failed: ${(err as Error).message}`);
        }
      }
      throw new ActionError(404, `no UI action at ${path}`);
    } catch (err) {
      if (err instanceof ActionError) return sendJson(res, err.status, { error: err.message });
      throw err;
    }
  }

  /** Server-sent events: `change` whenever `stateVersion` moves (checked once a second while anyone listens). */
  private live(req: http.IncomingMessage, res: http.ServerResponse) {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
    });
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    req.on("close", () => {
      this.clients.delete(res);
      if (!this.clients.size && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    });
    if (!this.timer) {
      let beats = 0;
      this.timer = setInterval(() => {
        if (++beats % 20 === 0) for (const c of this.clients) c.write(": ping\n\n");
        void this.check();
      }, 1000);
      this.timer.unref?.();
    }
  }

  private async check() {
    if (this.checking) return;
    this.checking = true;
    try {
      const v = await stateVersion(this.ctx);
      if (v !== this.version) {
        this.version = v;
        for (const c of this.clients) c.write(`event: change\ndata: ${Date.now()}\n\n`);
      }
    } catch {
      // The database is away (stopping, restarting): the next second tries again.
    } finally {
      this.checking = false;
    }
  }
}
