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
import { isIP } from "node:net";

/** The host name of a Host header (or a configured name), lower-cased, without port or trailing dot. */
export function hostName(value: string | undefined): string | null {
  if (!value) return null;
  let host = value.trim().toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end === -1) return null;
    const rest = host.slice(end + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return null;
    host = host.slice(1, end);
  } else {
    const colon = host.lastIndexOf(":");
    if (colon !== -1 && host.indexOf(":") === colon) {
      if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return null;
      host = host.slice(0, colon);
    }
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host === "" ? null : host;
}

/** localhost, 127.0.0.0/8 and ::1: names that can only mean this machine. */
export function isLoopbackName(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/** A configured name or address (`mail.test`, `mail.test:4010`, `::1`, `[::1]`) as `hostName` gives it. */
function configuredName(value: string): string | null {
  return hostName(isIP(value.trim()) === 6 ? `[${value.trim()}]` : value);
}

/** Whether a bind address keeps the catcher on this machine. `0.0.0.0`, `::` or a LAN address do not. */
export function isLoopbackBind(host: string): boolean {
  const name = configuredName(host);
  return name !== null && isLoopbackName(name);
}

export class HostPolicy {
  private readonly extra: Set<string>;

  /** `publicHosts`: further names to answer to (any port); a concrete bind address is added too. */
  constructor(publicHosts: readonly string[], bindHost: string) {
    const names = publicHosts.map(configuredName);
    const bound = configuredName(bindHost);
    if (bound && bound !== "0.0.0.0" && bound !== "::") names.push(bound);
    this.extra = new Set(names.filter((n): n is string => n !== null));
  }

  allows(hostHeader: string | undefined): boolean {
    const name = hostName(hostHeader);
    return name !== null && (isLoopbackName(name) || this.extra.has(name));
  }

  describe(): string {
    const extra = [...this.extra];
    return `localhost, 127.0.0.1, [::1]${extra.length ? `, ${extra.join(", ")}` : ""}`;
  }
}

/** `application/json`, with or without parameters such as `charset=utf-8`. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  return value.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** POST, PUT and PATCH carry bodies; those are the requests a page could forge without a preflight. */
export function needsJsonContentType(method: string): boolean {
  return method === "POST" || method === "PUT" || method === "PATCH";
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? "";
  return /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]?.trim() || null;
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
