// Wires the pieces into one node:http server and the programmatic handle tests use.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AttemptLog } from "./attempts";
import { clearRequestLog, handleCatcherApi, resetAll, waitForMessages } from "./catcher-api";
import type { CatcherContext, RouteOutcome } from "./context";
import { CallCounters, type ProviderCounters } from "./counters";
import { errorBody, unsupportedMediaType } from "./errors";
import { FaultBook, type FaultRule, type FaultRuleInput } from "./faults";
import {
  HostPolicy,
  bearerToken,
  cookieValue,
  isJsonContentType,
  isLoopbackBind,
  needsJsonContentType,
  redactToken,
  sameSecret,
} from "./guard";
import { discardRest, sendHtml, sendJson } from "./http";
import { renderInbox, renderMessage, renderNotFound, renderTokenRequired } from "./inbox-html";
import { createLog, type LogOption } from "./logger";
import { RateLimiter, resolveRateLimit, type RateLimitOption, type RateLimitScope } from "./rate-limit";
import { handleGetEmail, handleSend } from "./sending-api";
import { MessageStore, type MessageFilter } from "./store";
import type { Attempt, StoredMessage } from "./types";

/** Resend's documented limit for an email including attachments. */
export const DEFAULT_MAX_BODY_BYTES = 40 * 1024 * 1024;

export interface StartMailCatcherOptions {
  /** 0 picks a free port. Default 4010. */
  port?: number;
  /**
   * Default 127.0.0.1. Anything that is not loopback (`0.0.0.0`, `::`, a LAN address) needs a
   * `token`; starting without one throws.
   */
  host?: string;
  /** Where messages and idempotency records live; created if missing. */
  dataDir: string;
  /** Minimum time every /emails request takes, like a real provider (the bench uses ~300). */
  latencyMs?: number;
  /** Accept only this API key (403 invalid_api_key otherwise). Default: any non-empty key. */
  apiKey?: string;
  /**
   * Shared secret. The Resend routes then accept only it as API key (`Authorization: Bearer`), and
   * the inbox and /_catcher need it as a bearer token or as the cookie that opening the inbox once
   * with `?token=<token>` sets. Required to bind off loopback.
   */
  token?: string;
  /**
   * Host names to answer besides loopback (localhost, 127.0.0.0/8, [::1]), any port, e.g. the
   * name or LAN address others reach a `0.0.0.0` bind with. Other Host headers get 421.
   */
  publicHosts?: string[];
  /** Largest accepted sending-API body; larger gets 413. Default 40 MB. */
  maxBodyBytes?: number;
  /** true (default): one line per request to stdout; false: silent; or your own sink. */
  log?: LogOption;
  /**
   * Resend-like request rate limit on the Resend routes: `2` or `"2/s"` (Resend's default), `"10/2s"`,
   * `{ limit, windowSeconds, scope }`. Default off (0).
   */
  rateLimit?: RateLimitOption;
  /** "team" (default, like Resend: all API keys share one limit) or "key" (one limit per key). */
  rateLimitScope?: RateLimitScope;
  /** Clock for created_at, the 24 h idempotency window and the rate limit; tests can move time forward. */
  now?: () => number;
}

export interface MailCatcher {
  /** Base URL for `new Resend(key, { baseUrl })` / RESEND_BASE_URL, without a trailing slash. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /** Newest first; `to` matches any recipient (to, cc, bcc), case-insensitively. */
  messages(filter?: MessageFilter): Promise<StoredMessage[]>;
  /** Resolves once at least `count` (default 1) messages match; rejects after `timeoutMs` (default 10 s). */
  waitForMessages(filter?: MessageFilter & { count?: number; timeoutMs?: number }): Promise<StoredMessage[]>;
  /** Deletes every message and idempotency record; returns how many messages were deleted. */
  clearMessages(): Promise<number>;
  /** Sending-API requests seen by this process, oldest first. */
  requests(filter?: { to?: string }): Promise<Attempt[]>;
  /** Clears the request log, the built-in conventions' counters and the call counters. */
  clearRequests(): void;
  /** Calls received and 429s answered, in total and per Resend endpoint, since start or the last clear. */
  counters(): ProviderCounters;
  faults(): FaultRule[];
  /** Replaces all runtime rules; throws a ZodError on an invalid rule. */
  setFaults(rules: FaultRuleInput[]): FaultRule[];
  addFault(rule: FaultRuleInput): FaultRule;
  removeFault(id: string): boolean;
  clearFaults(): void;
  /** Messages, idempotency records, request log, rules, counters and rate-limit windows. */
  reset(): Promise<void>;
}

export async function startMailCatcher(options: StartMailCatcherOptions): Promise<MailCatcher> {
  const log = createLog(options.log);
  const now = options.now ?? Date.now;
  const controller = new AbortController();
  const host = options.host ?? "127.0.0.1";
  const token = options.token === undefined || options.token === "" ? null : options.token;
  if (!isLoopbackBind(host) && token === null) {
    throw new Error(
      `mail-catcher: refusing to listen on ${host} without a token: off loopback anyone on the network could read and inject mail. ` +
        "Set --token (or MAIL_CATCHER_TOKEN, or the `token` option), or keep the default 127.0.0.1.",
    );
  }
  if (token !== null && options.apiKey !== undefined && options.apiKey !== token) {
    throw new Error("mail-catcher: `apiKey` and `token` differ; with a token set, the token is the API key (leave `apiKey` out).");
  }
  const rateLimit = resolveRateLimit(options.rateLimit, options.rateLimitScope);
  const store = await MessageStore.open(options.dataDir, log, now);
  const ctx: CatcherContext = {
    store,
    faults: new FaultBook(),
    attempts: new AttemptLog(),
    counters: new CallCounters(now),
    limiter: rateLimit ? new RateLimiter(rateLimit, now) : null,
    latencyMs: Math.max(0, options.latencyMs ?? 0),
    apiKey: token ?? options.apiKey ?? null,
    hosts: new HostPolicy(options.publicHosts ?? [], host),
    token,
    cookieName: "mail_catcher_token",
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    signal: controller.signal,
    now,
    inFlight: new Set(),
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    route(req, res, ctx).then(
      (outcome) => logRequest(outcome),
      (error: unknown) => {
        // Anything unexpected is answered like Resend's 500 and logged; never rethrown, so one
        // bad request cannot take the catcher down.
        log(`internal error on ${req.method} ${redactToken(req.url ?? "")}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 500, errorBody(500, "internal_server_error", "An unexpected error occurred."));
        } else {
          res.destroy();
        }
        logRequest({});
      },
    );
    function logRequest(outcome: RouteOutcome) {
      const to = outcome.recipients?.length ? ` to=${outcome.recipients.join(",")}` : "";
      const note = outcome.note ? ` (${outcome.note})` : "";
      const status = res.headersSent ? String(res.statusCode) : "-";
      log(`${req.method} ${truncate(redactToken(req.url ?? ""), 200)} ${status}${to}${note} ${Date.now() - started}ms`);
    }
  });
  // Malformed HTTP never reaches the handler; answer it and move on instead of emitting an error.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4010, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${port}`;
  ctx.cookieName = `mail_catcher_token_${port}`;

  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    dataDir: options.dataDir,
    stop() {
      stopped ??= (async () => {
        controller.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await store.drain();
      })();
      return stopped;
    },
    messages: async (filter) => store.list(filter),
    async waitForMessages(filter = {}) {
      const count = filter.count ?? 1;
      const timeoutMs = filter.timeoutMs ?? 10_000;
      const list = await waitForMessages(ctx, { to: filter.to, count, timeoutMs });
      if (list.length < count) {
        throw new Error(
          `mail-catcher: expected ${count} message(s)${filter.to ? ` to ${filter.to}` : ""} within ${timeoutMs} ms, found ${list.length}`,
        );
      }
      return list;
    },
    clearMessages: () => store.clear(),
    requests: async (filter) => ctx.attempts.list(filter),
    clearRequests: () => clearRequestLog(ctx),
    counters: () => ctx.counters.snapshot(),
    faults: () => ctx.faults.list(),
    setFaults: (rules) => ctx.faults.set(rules),
    addFault: (rule) => ctx.faults.add(rule),
    removeFault: (id) => ctx.faults.remove(id),
    clearFaults: () => ctx.faults.clear(),
    reset: () => resetAll(ctx),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: CatcherContext): Promise<RouteOutcome> {
  const method = req.method ?? "GET";
  // DNS rebinding: a page on another site that resolves its name to 127.0.0.1 still sends its own
  // name as Host. Nothing is answered for a name the catcher does not know.
  if (!ctx.hosts.allows(req.headers.host)) {
    discardRest(req, ctx.maxBodyBytes);
    sendJson(
      res,
      421,
      errorBody(
        421,
        "security_error",
        `mail-catcher answers only to ${ctx.hosts.describe()} (any port), not to Host "${req.headers.host ?? ""}". ` +
          "To reach it under another name, start it with --public-host <name>.",
      ),
    );
    return { note: "refused host" };
  }

  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://mail-catcher.local");
  } catch {
    sendJson(res, 400, errorBody(400, "validation_error", "Malformed request URL."));
    return {};
  }
  const path = url.pathname;

  // The Resend routes check their own API key (the token, when set) and content type.
  if (path === "/emails" || path === "/emails/batch") {
    if (method !== "POST") return notAllowed(res, "POST");
    return handleSend(req, res, ctx, path);
  }
  const emailId = /^\/emails\/([^/]+)$/.exec(path)?.[1];
  if (emailId !== undefined) {
    if (method !== "GET") return notAllowed(res, "GET");
    return handleGetEmail(req, res, ctx, safeDecode(emailId));
  }

  if (path === "/_catcher" || path.startsWith("/_catcher/")) {
    // Health stays open, so readiness probes need no secret; it tells nothing but a count.
    if (ctx.token !== null && path !== "/_catcher/health" && !hasToken(req, ctx)) {
      discardRest(req, ctx.maxBodyBytes);
      const given = bearerToken(req) ?? cookieValue(req, ctx.cookieName);
      if (given === null) sendJson(res, 401, errorBody(401, "missing_api_key", TOKEN_MISSING));
      else sendJson(res, 403, errorBody(403, "invalid_api_key", "The mail catcher's token is wrong."));
      return { note: "no token" };
    }
    if (needsJsonContentType(method) && !isJsonContentType(req.headers["content-type"])) {
      discardRest(req, ctx.maxBodyBytes);
      sendJson(res, 415, errorBody(415, "validation_error", unsupportedMediaType(req.headers["content-type"])));
      return {};
    }
    return handleCatcherApi(req, res, ctx, url);
  }

  const isRead = method === "GET" || method === "HEAD";
  if (ctx.token !== null && isRead) {
    const fromQuery = url.searchParams.get("token");
    if (fromQuery !== null) {
      // Opening the inbox once with ?token= leaves a cookie and a URL without the secret in it.
      if (!sameSecret(fromQuery, ctx.token)) {
        sendHtml(res, 403, renderTokenRequired(path, "wrong"));
        return { note: "wrong token" };
      }
      url.searchParams.delete("token");
      res.writeHead(303, {
        location: `${path}${url.search}`,
        "set-cookie": `${ctx.cookieName}=${encodeURIComponent(ctx.token)}; Path=/; HttpOnly; SameSite=Strict`,
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "content-length": "0",
      });
      res.end();
      return {};
    }
    if (!hasToken(req, ctx)) {
      sendHtml(res, 401, renderTokenRequired(path, cookieValue(req, ctx.cookieName) === null ? "missing" : "wrong"));
      return { note: "no token" };
    }
  }

  if (path === "/" && isRead) {
    const to = url.searchParams.get("to")?.trim() || null;
    sendHtml(res, 200, renderInbox(ctx.store.list({ to: to ?? undefined }), to));
    return {};
  }
  const messageId = /^\/messages\/([^/]+)$/.exec(path)?.[1];
  if (messageId !== undefined && isRead) {
    const message = ctx.store.get(safeDecode(messageId));
    if (message) sendHtml(res, 200, renderMessage(message));
    else sendHtml(res, 404, renderNotFound());
    return {};
  }
  if (isRead && !path.startsWith("/emails")) {
    sendHtml(res, 404, renderNotFound());
    return {};
  }
  discardRest(req, ctx.maxBodyBytes);
  sendJson(res, 404, errorBody(404, "not_found", "The requested endpoint does not exist."));
  return {};
}

const TOKEN_MISSING =
  "This mail catcher has a token: send `Authorization: Bearer <token>` (or open the inbox once with `?token=<token>` for the cookie).";

/** The token as a bearer header or as the cookie the inbox sets. */
function hasToken(req: IncomingMessage, ctx: CatcherContext): boolean {
  if (ctx.token === null) return true;
  const given = bearerToken(req) ?? cookieValue(req, ctx.cookieName);
  return given !== null && sameSecret(given, ctx.token);
}

function notAllowed(res: ServerResponse, allow: string): RouteOutcome {
  sendJson(res, 405, errorBody(405, "method_not_allowed", `Method not allowed. Allowed: ${allow}.`), { allow });
  return {};
}

function urlHost(host: string): string {
  // A wildcard bind is reachable on loopback; an IPv6 literal needs brackets in a URL.
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
