// Which address a request came from, for rate limits — decided from what this server saw, never
// from what the client wrote. Plain functions (no server-only): the socket stamp in
// instrumentation.ts and the tests use them too.
//
// `next start` does not help here: Next 16 sets `x-forwarded-for` from the socket only when the
// request has none (`req.headers['x-forwarded-for'] ??= socket.remoteAddress` in base-server.js),
// so a client that sends the header replaces its own address. The server therefore stamps every
// request itself (lib/accounts/peer-stamp.ts, installed by instrumentation.ts): it appends the
// socket's address to `x-forwarded-for`, as a reverse proxy does, and marks the request with a
// per-process secret so an unstamped request is never mistaken for a stamped one.
import { isIP } from "node:net";

export const PEER_STAMP_HEADER = "x-signup-jobs-peer-stamp";

/** The subject of an unstamped request (served before the stamp was installed): one shared bucket. */
export const UNSTAMPED = "unstamped";

/**
 * The client's address from an `x-forwarded-for` chain whose last entry the server appended from
 * the socket. With no trusted proxy it is that last entry; behind N trusted proxies (each appends
 * the address it received the request from) it is the (N+1)-th from the right. Everything left of
 * it was written by the client and is ignored. A chain shorter than that (a request that did not
 * pass every proxy) gives its left-most entry; an entry that is not an IP address gives the socket's.
 */
export function clientAddressFrom(forwardedFor: string, trustedHops: number): string {
  const chain = forwardedFor
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const socket = normaliseAddress(chain.at(-1) ?? "");
  const picked = normaliseAddress(chain[Math.max(0, chain.length - 1 - trustedHops)] ?? "");
  return picked ?? socket ?? "unknown";
}

/** An IP address in canonical form (IPv4-mapped IPv6 as IPv4, IPv6 lower-case, zone dropped), or null. */
export function normaliseAddress(value: string): string | null {
  let address = value.trim();
  // "[v6]:port" or "v4:port" as some proxies write them.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  address = address.replace(/%.*$/, "").toLowerCase();
  const version = isIP(address);
  if (version === 4) return address;
  if (version !== 6) return null;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join(".");
  }
  return address;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail becomes two groups). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/**
 * What a per-client limit counts: an IPv4 address, or an IPv6 address's /64 — one home or one
 * server usually holds a whole /64, so counting single IPv6 addresses would give each client
 * 2^64 fresh budgets.
 */
export function rateLimitSubject(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address).slice(0, 4);
  return `${groups.map((g) => g.toString(16)).join(":")}::/64`;
}
