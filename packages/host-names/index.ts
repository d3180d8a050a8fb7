// Host names as the local services' guards need them (engine/src/host-check.ts,
// mail-catcher/src/guard.ts): a Host header's name, the names that can only mean this machine, and
// whether a bind address or a socket's peer stays on it. DNS rebinding is why: a page on
// evil.example can point its name at 127.0.0.1, but its requests still say `Host: evil.example`.
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

/** A configured name or address (`engine.test`, `engine.test:8288`, `::1`, `[::1]`) as `hostName` gives it. */
export function configuredName(value: string): string | null {
  return hostName(isIP(value.trim()) === 6 ? `[${value.trim()}]` : value);
}

/** Whether a bind address keeps a service on this machine. `0.0.0.0`, `::` or a LAN address do not. */
export function isLoopbackBind(host: string): boolean {
  const name = configuredName(host);
  return name !== null && isLoopbackName(name);
}

/** Whether a socket's peer is this machine (`::ffff:127.0.0.1` is IPv4 loopback seen on a dual-stack socket). */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return isLoopbackName(v4 ?? address);
}

/**
 * The host names a service answers to (or calls): the loopback ones always, plus `names` —
 * configured names or addresses, as `configuredName` reads them. A wildcard bind (`0.0.0.0`, `::`)
 * names no host and is left out.
 */
export class HostList {
  private readonly extra: Set<string>;

  constructor(names: readonly string[]) {
    this.extra = new Set(names.map(configuredName).filter((n): n is string => n !== null && n !== "0.0.0.0" && n !== "::"));
  }

  /** `name` as `hostName` gives it. */
  has(name: string | null): boolean {
    return name !== null && (isLoopbackName(name) || this.extra.has(name));
  }

  /** Whether a request's `Host` header names one of them. */
  allows(hostHeader: string | undefined): boolean {
    return this.has(hostName(hostHeader));
  }

  describe(): string {
    return ["localhost", "127.0.0.1", "[::1]", ...this.extra].join(", ");
  }
}

/**
 * `application/json`, with or without parameters such as `charset=utf-8`. A page can POST
 * `text/plain` or a form anywhere without a CORS preflight; requiring JSON makes the browser ask
 * first, and neither service ever says yes.
 */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  return value.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(authorization: string | undefined): string | null {
  return /^Bearer\s+(.+)$/i.exec((authorization ?? "").trim())?.[1]?.trim() || null;
}
