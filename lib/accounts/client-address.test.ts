import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddressFrom, normaliseAddress, PEER_STAMP_HEADER, rateLimitSubject, UNSTAMPED } from "@/lib/accounts/client-address";
import { installPeerStamp, peerStampSecret } from "@/lib/accounts/peer-stamp";
import { clientSubjectOf } from "@/lib/accounts/client-ip";

describe("clientAddressFrom", () => {
  it.each([
    // No proxy (0 hops): the entry the server appended from the socket, whatever the client sent.
    ["203.0.113.7", 0, "203.0.113.7"],
    ["1.2.3.4, 203.0.113.7", 0, "203.0.113.7"],
    ["1.2.3.4, 5.6.7.8, 203.0.113.7", 0, "203.0.113.7"],
    // One trusted proxy: the address it received the request from, second from the right.
    ["198.51.100.9, 10.0.0.2", 1, "198.51.100.9"],
    ["1.2.3.4, 198.51.100.9, 10.0.0.2", 1, "198.51.100.9"], // the client's own "1.2.3.4" is ignored
    ["9.9.9.9, 1.2.3.4, 198.51.100.9, 10.0.0.5, 10.0.0.2", 2, "198.51.100.9"],
    // Fewer entries than hops (a request that bypassed the proxies): the left-most.
    ["10.0.0.2", 1, "10.0.0.2"],
    // Junk where the client's address should be: the socket's, never the junk.
    ["1.2.3.4, not-an-ip, 10.0.0.2", 1, "10.0.0.2"],
    // Spelling: IPv4-mapped IPv6, ports, brackets, zones, case.
    ["::ffff:203.0.113.7", 0, "203.0.113.7"],
    ["[2001:DB8::1]:443", 0, "2001:db8::1"],
    ["203.0.113.7:51234", 0, "203.0.113.7"],
    ["fe80::1%eth0", 0, "fe80::1"],
  ])("%s with %i hops → %s", (chain, hops, expected) => {
    expect(clientAddressFrom(chain, hops)).toBe(expected);
  });

  it("never answers with a value only the client wrote", () => {
    const socket = "203.0.113.7";
    for (let i = 0; i < 20; i++) expect(clientAddressFrom(`10.9.${i}.1, ${socket}`, 0)).toBe(socket);
  });

  it("normalises or refuses", () => {
    expect(normaliseAddress("0:0:0:0:0:ffff:c000:0201")).toBe("192.0.2.1");
    expect(normaliseAddress("evil.example")).toBeNull();
    expect(normaliseAddress("")).toBeNull();
  });
});

describe("rateLimitSubject", () => {
  it("counts an IPv4 address as itself and an IPv6 address as its /64", () => {
    expect(rateLimitSubject("203.0.113.7")).toBe("203.0.113.7");
    expect(rateLimitSubject("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(rateLimitSubject("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitSubject("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(rateLimitSubject("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitSubject("2001:db8:1:2:3:4:192.0.2.1")).toBe("2001:db8:1:2::/64");
  });
});

describe("the peer stamp on a real HTTP server", () => {
  let server: http.Server;
  let url: string;
  let seen: Headers;
  beforeAll(async () => {
    installPeerStamp();
    server = http.createServer((req, res) => {
      seen = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])));
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("appends the socket's address and marks the request; a spoofed header and a forged stamp change nothing", async () => {
    for (const spoof of ["1.2.3.4", "1.2.3.4, 5.6.7.8", "::1"]) {
      await fetch(url, { headers: { "x-forwarded-for": spoof, [PEER_STAMP_HEADER]: "forged" } });
      expect(seen.get("x-forwarded-for")).toBe(`${spoof}, 127.0.0.1`);
      expect(seen.get(PEER_STAMP_HEADER)).toBe(peerStampSecret());
      expect(clientSubjectOf(seen)).toBe("127.0.0.1");
    }
    await fetch(url);
    expect(seen.get("x-forwarded-for")).toBe("127.0.0.1");
    expect(clientSubjectOf(seen)).toBe("127.0.0.1");
  });

  it("does not trust a request the stamp did not see", () => {
    const unstamped = new Headers({ "x-forwarded-for": "1.2.3.4", [PEER_STAMP_HEADER]: "guess" });
    expect(clientSubjectOf(unstamped)).toBe(UNSTAMPED);
    expect(clientSubjectOf(new Headers({ "x-forwarded-for": "1.2.3.4" }), undefined)).toBe(UNSTAMPED);
  });
});
