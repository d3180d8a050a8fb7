import "server-only";
import { timingSafeEqual } from "node:crypto";
import { headers } from "next/headers";
import { env } from "@/lib/env";
import { clientAddressFrom, PEER_STAMP_HEADER, rateLimitSubject, UNSTAMPED } from "@/lib/accounts/client-address";
import { peerStampSecret } from "@/lib/accounts/peer-stamp";

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Who a per-client limit counts this request against: the client's address (from the socket, or
 * `TRUSTED_PROXY_HOPS` proxies back — never from a value the client wrote; see
 * lib/accounts/client-address.ts), an IPv6 address as its /64. A request the server did not stamp
 * (it arrived before the stamp was installed) shares one bucket rather than trust its headers.
 */
export function clientSubjectOf(requestHeaders: Headers, secret = peerStampSecret()): string {
  const stamp = requestHeaders.get(PEER_STAMP_HEADER);
  if (!secret || !stamp || !same(stamp, secret)) return UNSTAMPED;
  return rateLimitSubject(clientAddressFrom(requestHeaders.get("x-forwarded-for") ?? "", env.TRUSTED_PROXY_HOPS));
}

/** The current request's client, for server actions and route handlers. */
export async function clientSubject(): Promise<string> {
  return clientSubjectOf(await headers());
}
