// POST /api/users as a client sees it: the same answer for a new address and one that has an
// account, the limits, cross-site refusal. The route handler runs as Next runs it, with the
// request's headers and cookie jar faked at the boundary (next/headers) and `after` collected.
import { performance } from "node:perf_hooks";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { PEER_STAMP_HEADER } from "@/lib/accounts/client-address";
import { installPeerStamp, peerStampSecret } from "@/lib/accounts/peer-stamp";
import { PENDING_COOKIE, pendingCookieValue, readPendingCookieValue } from "@/lib/accounts/pending-sign-up";
import { pendingSignUpStatus } from "@/lib/accounts/sign-up-attempts";
import { enforceLimits } from "@/lib/accounts/rate-limit";
import { signUpLimits } from "@/lib/accounts/limits";
import { makeUser, uniqueEmail } from "@/tests/factories";

const request = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  cookies: async () => ({
    get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name)! } : undefined),
    set: (name: string, value: string) => void request.cookies.set(name, value),
    delete: (name: string) => void request.cookies.delete(name),
  }),
}));
vi.mock("next/server", async (importOriginal) => ({ ...(await importOriginal<object>()), after: vi.fn() }));

const { POST } = await import("@/app/api/users/route");
const { GET: status } = await import("@/app/api/sign-up/status/route");

let client = 0;
/** A request as it reaches the handler: stamped by this process with the client's socket address. */
function signUpRequest(body: unknown, options: { client?: string; headers?: Record<string, string> } = {}) {
  const address = options.client ?? `198.51.${Math.floor(++client / 250) % 250}.${client % 250}`;
  const headers = { "content-type": "application/json", host: "127.0.0.1:3100", "x-forwarded-for": address, [PEER_STAMP_HEADER]: peerStampSecret()!, ...options.headers };
  request.headers = new Headers(headers);
  request.cookies.clear();
  return new Request("http://127.0.0.1:3100/api/users", { method: "POST", headers, body: JSON.stringify(body) });
}

async function answer(response: Response) {
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    location: response.headers.get("location"),
    retryAfter: response.headers.get("retry-after"),
    serverTiming: response.headers.get("server-timing"),
    pending: readPendingCookieValue(request.cookies.get(PENDING_COOKIE)),
  };
}

const person = (email: string) => ({ name: "Someone", email, password: "a long enough password" });

beforeAll(() => installPeerStamp());
afterEach(() => {
  request.cookies.clear();
});

describe("no enumeration", () => {
  it("answers a new address and one with an account alike: status, body, cookie, location", async () => {
    const owner = await makeUser();
    const fresh = await answer(await POST(signUpRequest(person(uniqueEmail("new")))));
    const taken = await answer(await POST(signUpRequest(person(owner.email))));

    for (const a of [fresh, taken]) {
      expect(a.status).toBe(202);
      expect(a.location).toBe("/api/sign-up/status");
      expect(a.serverTiming).toMatch(/^hash;dur=[\d.]+, app;dur=[\d.]+$/);
      expect(a.pending).toMatchObject({ attemptId: expect.any(String) });
    }
    expect(taken.body).toEqual(fresh.body);
    expect(Object.keys(fresh.body).sort()).toEqual(["message", "status", "statusUrl"]);
    // Nobody is logged in by signing up, whichever address it was.
    expect(request.cookies.has("session")).toBe(false);

    // The status the page polls says the same too: an email is on its way.
    for (const pending of [fresh.pending!, taken.pending!]) {
      request.cookies.set(PENDING_COOKIE, pendingCookieValue(pending));
      expect(await (await status()).json()).toEqual({ email: pending.email, status: "sending" });
    }
    // The owner's account is untouched (password, name) and no second account exists.
    expect(await db.user.count({ where: { email: owner.email } })).toBe(1);
    expect(await db.user.findUniqueOrThrow({ where: { email: owner.email } })).toMatchObject({ name: owner.name });
  });

  it("a sign-up whose attempt is gone (purged after a day) reads idle, on the page and in its polls alike", async () => {
    const { pending } = await answer(await POST(signUpRequest(person(uniqueEmail("purged")))));
    expect(await pendingSignUpStatus(pending!)).toBe("sending");
    await db.signUpAttempt.delete({ where: { id: pending!.attemptId! } });
    // The page renders pendingSignUpStatus first; the poll must not contradict it ("sending" forever, or a flip).
    expect(await pendingSignUpStatus(pending!)).toBe("idle");
    request.cookies.set(PENDING_COOKIE, pendingCookieValue(pending!));
    expect(await (await status()).json()).toEqual({ email: pending!.email, status: "idle" });
  });

  it("takes the same time for both, within a tolerance, over several runs", async () => {
    const owners = await Promise.all(Array.from({ length: 25 }, () => makeUser()));
    const time = async (email: string) => {
      const started = performance.now();
      const response = await POST(signUpRequest(person(email)));
      const took = performance.now() - started;
      expect(response.status).toBe(202);
      return took;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Warm both paths up (module loading, connections, the argon2 thread pool).
    await time(uniqueEmail("warm"));
    await time(owners.pop()!.email);
    // Rounds of interleaved pairs, so a busy moment on this shared machine falls on both. Other
    // processes only ever add time, to either side at random; a real difference (say, a path that
    // skips hashing) shows in every round, so one round within the tolerance is enough.
    const rounds: string[] = [];
    for (let round = 0; round < 3; round++) {
      const fresh: number[] = [];
      const taken: number[] = [];
      for (let i = 0; i < 8; i++) {
        fresh.push(await time(uniqueEmail("timing")));
        taken.push(await time(owners.pop()!.email));
      }
      const [a, b] = [median(fresh), median(taken)];
      rounds.push(`new ${a.toFixed(1)} ms, existing ${b.toFixed(1)} ms`);
      if (Math.abs(a - b) <= Math.max(10, 0.25 * Math.max(a, b))) return;
    }
    expect.fail(`the medians differ beyond 25 % (or 10 ms) in every round: ${rounds.join("; ")}`);
  });
});

describe("sign-up limits", () => {
  it("refuses the 6th sign-up from one client with 429, retry-after and a message; others still get in", async () => {
    const limit = env.RATE_LIMIT_SIGN_UP_PER_CLIENT.limit;
    const one = "203.0.113.50";
    for (let i = 0; i < limit; i++) expect((await POST(signUpRequest(person(uniqueEmail("burst")), { client: one }))).status).toBe(202);
    const refused = await answer(await POST(signUpRequest(person(uniqueEmail("burst")), { client: one })));
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ error: { code: "rate_limited", message: expect.stringMatching(/^Too many sign-ups from your network\. Try again in \d+ minutes?\.$/) } });
    expect(refused.pending).toBeNull();
    // An IPv6 client's neighbours in its /64 are the same client.
    const v6 = (n: number) => `2001:db8:77:1::${n.toString(16)}`;
    for (let i = 0; i < limit; i++) expect((await POST(signUpRequest(person(uniqueEmail("v6")), { client: v6(i + 1) }))).status).toBe(202);
    expect((await POST(signUpRequest(person(uniqueEmail("v6")), { client: v6(999) }))).status).toBe(429);
    // Another client is not affected.
    expect((await POST(signUpRequest(person(uniqueEmail("other"))))).status).toBe(202);
  });

  it("keeps each limit's window (injected clock): per client, for everyone, per address", async () => {
    const now = new Date();
    const later = new Date(now.getTime() + env.RATE_LIMIT_SIGN_UP_PER_CLIENT.windowMs + 1);
    const clientA = "192.0.2.10";
    for (let i = 0; i < env.RATE_LIMIT_SIGN_UP_PER_CLIENT.limit; i++) await enforceLimits(signUpLimits(clientA, uniqueEmail()), now);
    await expect(enforceLimits(signUpLimits(clientA, uniqueEmail()), now)).rejects.toMatchObject({ status: 429 });
    await expect(enforceLimits(signUpLimits(clientA, uniqueEmail()), later)).resolves.toBeUndefined();

    // One address, many clients: at most RATE_LIMIT_SIGN_UP_EMAIL_PER_ADDRESS emails an hour.
    const victim = uniqueEmail("victim");
    for (let i = 0; i < env.RATE_LIMIT_SIGN_UP_EMAIL_PER_ADDRESS.limit; i++) await enforceLimits(signUpLimits(`192.0.2.${20 + i}`, victim), now);
    await expect(enforceLimits(signUpLimits("192.0.2.99", victim), now)).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/^We have sent several emails to this address already\./) });
  });

  it("caps sign-ups for everyone together", async () => {
    // The global key is one row: fill it as if the hour had been busy.
    const now = new Date();
    await db.rateLimit.upsert({
      where: { key: "sign-up:global" },
      create: { key: "sign-up:global", count: env.RATE_LIMIT_SIGN_UP_GLOBAL.limit, resetAt: new Date(now.getTime() + 60_000) },
      update: { count: env.RATE_LIMIT_SIGN_UP_GLOBAL.limit, resetAt: new Date(now.getTime() + 60_000) },
    });
    try {
      const refused = await answer(await POST(signUpRequest(person(uniqueEmail("busy")))));
      expect(refused).toMatchObject({ status: 429, retryAfter: expect.stringMatching(/^\d+$/), body: { error: { message: expect.stringMatching(/^We are getting more sign-ups than we can take right now\. Try again in 1 minute\.$/) } } });
    } finally {
      await db.rateLimit.delete({ where: { key: "sign-up:global" } });
    }
  });
});

describe("cross-site and oversized sign-ups", () => {
  it("refuses a cross-site post with 403 and creates nothing", async () => {
    const email = uniqueEmail("csrf");
    const attempts: Record<string, string>[] = [{ origin: "https://evil.example", "sec-fetch-site": "cross-site" }, { origin: "https://evil.example" }];
    for (const headers of attempts) {
      const response = await POST(signUpRequest(person(email), { headers }));
      expect(response.status).toBe(403);
    }
    expect(await db.user.count({ where: { email } })).toBe(0);
    expect(request.cookies.size).toBe(0);
  });

  it("refuses a JSON body over 16 KB with 413, unread", async () => {
    const response = await POST(signUpRequest({ ...person(uniqueEmail("big")), padding: "x".repeat(20 * 1024) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "payload_too_large", message: expect.stringMatching(/at most 16 KB/) } });
  });
});

describe("names PostgreSQL cannot store, or nobody means to type", () => {
  it("answers 422 with a message on the name field, not a 500, and stores nothing", async () => {
    const cases: [string, string][] = [
      ["Ada\u0000Lovelace", "Your name can't contain control characters."], // was a 500: "invalid byte sequence for encoding UTF8: 0x00"
      [`Ada ${"😀".slice(0, 1)}`, "Your name contains half of a character (such as an emoji cut in two). Type it again."], // was a 500
      ["Ada\u0007", "Your name can't contain control characters."],
    ];
    for (const [name, message] of cases) {
      const email = uniqueEmail("odd-name");
      const response = await POST(signUpRequest({ ...person(email), name }));
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ error: { code: "unprocessable", fieldErrors: { name: [message] } } });
      expect(await db.user.count({ where: { email } })).toBe(0);
    }
    expect((await POST(signUpRequest({ ...person(uniqueEmail("emoji-name")), name: "Zoë 😀 李" }))).status).toBe(202);
  });
});
