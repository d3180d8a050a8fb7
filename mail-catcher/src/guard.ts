// Who may talk to the catcher. It is a local tool, so by default it trusts the machine it runs on,
// but not every page the developer's browser happens to visit:
//
// - Host: a page on evil.example can point evil.example at 127.0.0.1 (DNS rebinding) and then talk
//   to the catcher "same-origin". Its requests still say `Host: evil.example`, so only loopback
//   names (and names the user configured) are answered.
// - Content-Type: a page may POST `text/plain` or a form to any address without a CORS preflight.
//   Requiring `application/json` on every POST/PUT/PATCH makes the browser ask first, and the
//   catcher never says yes (it sends no CORS headers).
// - Token: off loopback anybody on the network could reach it, so binding there needs a token,
//   which every request must then carry.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { bearerToken as bearerFrom, HostList } from "@signup-jobs/host-names";

export { isJsonContentType, isLoopbackBind } from "@signup-jobs/host-names";

/** The names the catcher answers to: loopback, `publicHosts` (any port) and a concrete bind address. */
export class HostPolicy extends HostList {
  constructor(publicHosts: readonly string[], bindHost: string) {
    super([...publicHosts, bindHost]);
  }
}

/** POST, PUT and PATCH carry bodies; those are the requests a page could forge without a preflight. */
export function needsJsonContentType(method: string): boolean {
  return method === "POST" || method === "PUT" || method === "PATCH";
}

/** The token of the request's `Authorization: Bearer` header, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  return bearerFrom(req.headers.authorization);
}

export function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Compares secrets in constant time (whatever their lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Hides `token=` query values, for log lines. */
export function redactToken(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, "$1…");
}
