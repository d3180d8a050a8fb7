// Who may do what on the engine's HTTP surface, and how the engine signs what it sends to apps.
//
// Two modes:
// - dev (no keys, the default): like the Inngest Dev Server, anything on this machine may send
//   events, sync and read; requests to apps are unsigned (the SDK in dev mode checks nothing).
//   Binding off loopback is refused.
// - signed (`--signing-key` + `--event-key`): like a self-hosted Inngest server. `/e/<key>` needs
//   an event key; `/fn/register`, the SDK's API calls and the operator API under `/v1/` need
//   `Authorization: Bearer <signing key>` (the key or its hash, as Inngest's API accepts it); every
//   request to an app is signed (`X-Inngest-Signature`), so an app in cloud mode verifies it.
//
// In both modes: only Host names of this machine (or `--public-host`) are answered, JSON endpoints
// need `content-type: application/json`, the browser UI answers only peers on this machine, and
// only app URLs on allowed hosts are synced (and so called).
import type http from "node:http";
import { SyncError } from "./functions";
import { bearerToken, configuredName, HostList, hostName, isJsonContentType, isLoopbackBind, isLoopbackPeer, urlHostName } from "./host-check";
import { bearerMatchesKey, canonicalJson, isSigningKey, sameSecret, SIGNATURE_HEADER, signature } from "./signing";

export type AuthOptions = {
  /** Signs requests to apps and authenticates `/fn/register`, the SDK's API calls and `/v1/`. */
  signingKey?: string;
  /** Accepted besides `signingKey` (Bearer) while rotating; requests are signed with `signingKey`. */
  signingKeyFallback?: string;
  /** `/e/<key>` accepts exactly these. Required with `signingKey` (and only with it). */
  eventKeys?: string[];
  /** The bind address: it is answered to as a Host name too (unless a wildcard). */
  host: string;
  /** Further Host names to answer to, any port (the name others reach a `0.0.0.0` bind with). */
  publicHosts?: string[];
  /** App hosts besides loopback that sync may name (and so the engine may call). */
  allowAppHosts?: string[];
  /** The `--app-url` apps: their hosts are allowed too. */
  appUrls?: string[];
};

/** A refusal to answer with instead of handling the request. */
export type Refusal = { status: number; body: unknown; headers?: Record<string, string> };

/** The keys or hosts given at start do not add up (the CLI prints the message and exits 2). */
export class AuthConfigError extends Error {
  override name = "AuthConfigError";
}

/** A sync named an app URL on a host the engine may not call. */
export class AppHostRefused extends SyncError {
  override name = "AppHostRefused";
}

export class Auth {
  /** Signed mode: keys are required and requests to apps are signed. */
  readonly signed: boolean;
  private readonly signingKeys: string[];
  private readonly eventKeys: string[];
  private readonly hosts: HostList;
  private readonly appHosts: HostList;

  /** Throws naming the setting when the options do not add up (at start, before anything listens). */
  constructor(opts: AuthOptions) {
    const { signingKey, signingKeyFallback } = opts;
    const eventKeys = (opts.eventKeys ?? []).map((k) => k.trim()).filter(Boolean);
    for (const [name, key] of [["signing key", signingKey], ["fallback signing key", signingKeyFallback]] as const) {
      if (key !== undefined && !isSigningKey(key)) {
        throw new AuthConfigError(`the ${name} must be hex (an even number of digits, at least 32), optionally prefixed signkey-<env>-, e.g. signkey-prod-$(openssl rand -hex 32)`);
      }
    }
    if (signingKeyFallback !== undefined && signingKey === undefined) throw new AuthConfigError("a fallback signing key needs a signing key");
    if (signingKey !== undefined && !eventKeys.length) throw new AuthConfigError("a signing key needs at least one event key (--event-key): signed mode refuses events without one");
    if (eventKeys.length && signingKey === undefined) throw new AuthConfigError("an event key needs a signing key (--signing-key): without one, anyone could sync an app or read runs");
    if (eventKeys.some((k) => /[/?#\s]/.test(k))) throw new AuthConfigError("an event key must not contain '/', '?', '#' or spaces (it is a URL path segment)");
    this.signed = signingKey !== undefined;
    this.signingKeys = [signingKey, signingKeyFallback].filter((k): k is string => k !== undefined);
    this.eventKeys = eventKeys;
    if (!isLoopbackBind(opts.host) && !this.signed) {
      throw new AuthConfigError(
        `refusing to listen on ${opts.host} without keys: off loopback anyone on the network could send events, sync an app for the engine to call, and read every run. ` +
          "Start it in signed mode (--signing-key and --event-key), or keep the default 127.0.0.1.",
      );
    }
    for (const h of [...(opts.publicHosts ?? []), ...(opts.allowAppHosts ?? [])]) {
      if (configuredName(h) === null) throw new AuthConfigError(`"${h}" is not a host name`);
    }
    this.hosts = new HostList([...(opts.publicHosts ?? []), opts.host]);
    const appUrlHosts = (opts.appUrls ?? []).map(urlHostName).filter((h): h is string => h !== null);
    this.appHosts = new HostList([...(opts.allowAppHosts ?? []), ...appUrlHosts]);
  }

  /**
   * Host, credentials and content type of one request, in that order: null when it may go on,
   * else what to answer. `ui`: the path is the browser UI's.
   */
  check(req: http.IncomingMessage, path: string, method: string, ui: boolean): Refusal | null {
    const host = hostName(req.headers.host);
    if (!this.hosts.has(host)) {
      req.resume();
      return {
        status: 421,
        body: { error: `this engine answers only requests addressed to ${this.hosts.describe()} (any port), not to Host "${req.headers.host ?? ""}"; add --public-host to answer to another name` },
      };
    }
    const kind = routeKind(req, path, method, ui);
    if (kind === "open") return null;
    if (kind === "ui") {
      // The UI has no login: it is the developer's window on this machine. (Its actions also need
      // a same-origin JSON request with x-engine-ui, checked in ui/routes.ts.)
      if (isLoopbackPeer(req.socket.remoteAddress)) return null;
      req.resume();
      return { status: 403, body: { error: "the engine's UI answers only to this machine; reach it through an SSH tunnel" } };
    }
    if (this.signed) {
      if (kind === "events") {
        const key = safeDecode(/^\/e\/([^/]+)$/.exec(path)?.[1] ?? "");
        // Compared as Inngest does: literally, against every configured key.
        let found = false;
        for (const k of this.eventKeys) if (sameSecret(key, k)) found = true;
        if (!found) {
          req.resume();
          return { status: 401, body: { ids: [], status: 401, error: "Event key not found" } };
        }
      } else if (!this.bearerOk(req)) {
        req.resume();
        const error = "Authentication failed: send Authorization: Bearer <signing key> (the key or its hash, as the SDK sends it)";
        // The SDK takes /fn/register's outcome from the body's `status` (200 when absent).
        const body = kind === "register" ? { ok: false, status: 401, error } : { error };
        return { status: 401, body, headers: { "www-authenticate": 'Bearer realm="inngest"' } };
      }
    }
    if (method === "POST" && JSON_POSTS.some((re) => re.test(path)) && !isJsonContentType(req.headers["content-type"])) {
      req.resume();
      const error = `content-type must be application/json (got ${JSON.stringify(req.headers["content-type"] ?? "none")})`;
      return { status: 415, body: kind === "events" ? { ids: [], status: 415, error } : { error } };
    }
    return null;
  }

  /** The body and headers of a request to an app: signed in signed mode, as the SDK verifies it. */
  encode(body: unknown, nowMs = Date.now()): { text: string; headers: Record<string, string> } {
    if (!this.signed) return { text: JSON.stringify(body), headers: {} };
    const text = canonicalJson(body);
    return { text, headers: { [SIGNATURE_HEADER]: signature(text, this.signingKeys[0]!, nowMs) } };
  }

  /** Throws AppHostRefused unless the engine may call `url` (sync and /fn/register). */
  assertAppUrl(url: string, what = "app URL"): void {
    const host = urlHostName(url);
    if (host === null) throw new AppHostRefused(`${what} ${JSON.stringify(url)} is not an http(s) URL`);
    if (!this.appHosts.has(host)) {
      throw new AppHostRefused(
        `${what} ${url} is not on an allowed app host (${this.appHosts.describe()}); start the engine with --allow-app-host ${host} to call it`,
      );
    }
  }

  /** Why the app refused a request (401): said plainly in the run's error and the sync error. */
  refusalHint(): string {
    return this.signed
      ? "the app refused the engine's signature: its INNGEST_SIGNING_KEY (or INNGEST_SIGNING_KEY_FALLBACK) must be the engine's --signing-key"
      : "the app checks signatures (cloud mode): start the engine in signed mode with the app's signing key (--signing-key), or run the app in dev mode (INNGEST_DEV)";
  }

  private bearerOk(req: http.IncomingMessage): boolean {
    const token = bearerToken(req.headers.authorization);
    return token !== null && bearerMatchesKey(token, this.signingKeys);
  }
}

/** POSTs whose body is JSON: the ones a page could otherwise forge with a `text/plain` form post. */
const JSON_POSTS = [/^\/e\/[^/]+$/, /^\/fn\/register$/, /^\/v1\/apps\/sync$/, /^\/v1\/runs\/[^/]+\/cancel$/, /^\/v1\/checkpoint\/[^/]+\/async$/];

type RouteKind = "open" | "ui" | "events" | "register" | "api";

function routeKind(req: http.IncomingMessage, path: string, method: string, ui: boolean): RouteKind {
  if (path === "/health") return "open";
  if (/^\/e\/[^/]+$/.test(path)) return "events";
  if (path === "/fn/register") return "register";
  if (ui) return "ui";
  if (path === "/" && method === "GET") {
    // A browser is sent to the UI; anything else gets the status JSON, which is the operator API's.
    const url = new URL(req.url ?? "/", "http://engine.local");
    const wantsJson = url.searchParams.get("format") === "json" || !(req.headers.accept ?? "").includes("text/html");
    return wantsJson ? "api" : "ui";
  }
  // /v1/… (operator API, checkpoints, the SDK's other API calls), /v0/…, /v2/…, and unknown paths.
  return "api";
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
