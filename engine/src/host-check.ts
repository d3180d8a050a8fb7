// Who may talk to the engine, and whom the engine may call. Mirrors mail-catcher/src/guard.ts (the
// engine imports nothing outside its package):
//
// - Host: a page on evil.example can point evil.example at 127.0.0.1 (DNS rebinding) and then talk
//   to the engine "same-origin". Its requests still say `Host: evil.example`, so only loopback
//   names, the bind address and `--public-host` names are answered (421 otherwise).
// - Content-Type: a page may POST `text/plain` or a form to any address without a CORS preflight.
//   Requiring `application/json` on the JSON endpoints makes the browser ask first, and the engine
//   never says yes (it sends no CORS headers). The SDK sends `application/json` on every one.
// - App hosts: `POST /v1/apps/sync` and `/fn/register` name a URL the engine will then call with
//   every step request; only loopback hosts and `--allow-app-host` ones (plus the `--app-url` ones)
//   are accepted, so the engine cannot be turned into a request forwarder.
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

/** Whether a bind address keeps the engine on this machine. `0.0.0.0`, `::` or a LAN address do not. */
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

/** A set of host names, on top of the loopback ones that are always in it. */
export class HostList {
  private readonly extra: Set<string>;

  constructor(names: readonly string[]) {
    this.extra = new Set(names.map(configuredName).filter((n): n is string => n !== null && n !== "0.0.0.0" && n !== "::"));
  }

  /** `name` as `hostName` gives it. */
  has(name: string | null): boolean {
    return name !== null && (isLoopbackName(name) || this.extra.has(name));
  }

  describe(): string {
    return ["localhost", "127.0.0.1", "[::1]", ...this.extra].join(", ");
  }
}

/** `application/json`, with or without parameters such as `charset=utf-8`. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  return value.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The host name of an http(s) URL as `hostName` gives it, or null when it is not one. */
export function urlHostName(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return hostName(parsed.host);
}
