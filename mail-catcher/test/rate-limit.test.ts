import { Resend } from "resend";
import { describe, expect, it } from "vitest";
import { createMailCatcherClient, parseRateLimit } from "../index";
import { AUTH, email, raw, startTestCatcher } from "./helpers";

const MESSAGE_2_PER_S =
  "Too many requests. You can only make 2 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.";

/** A clock the test moves by hand, so windows open and close without sleeping. */
function manualClock(start = Date.parse("2026-11-29T12:00:00.000Z")) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe("rate limit (--rate-limit)", () => {
  it("answers the third request in a second with Resend's 429, headers and body, then lets the next window through", async () => {
    const clock = manualClock();
    const { catcher, resend } = await startTestCatcher({ rateLimit: "2/s", now: clock.now });

    const first = await resend.emails.send(email("a@example.com"));
    const second = await resend.emails.send(email("b@example.com"));
    const third = await resend.emails.send(email("c@example.com"));

    expect(first.error).toBeNull();
    expect(first.headers).toMatchObject({
      "ratelimit-limit": "2",
      "ratelimit-policy": "2;w=1",
      "ratelimit-remaining": "1",
      "ratelimit-reset": "1",
    });
    expect(first.headers?.["retry-after"]).toBeUndefined();
    expect(second.headers?.["ratelimit-remaining"]).toBe("0");

    expect(third.data).toBeNull();
    expect(third.error).toEqual({ statusCode: 429, name: "rate_limit_exceeded", message: MESSAGE_2_PER_S });
    expect(third.headers).toMatchObject({
      "retry-after": "1",
      "ratelimit-limit": "2",
      "ratelimit-policy": "2;w=1",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "1",
    });
    expect(await catcher.messages({ to: "c@example.com" })).toEqual([]);

    // Still inside the window a millisecond before its end; the next window starts fresh.
    clock.t += 999;
    expect((await resend.emails.send(email("c@example.com"))).error?.statusCode).toBe(429);
    clock.t += 1;
    const later = await resend.emails.send(email("c@example.com"));
    expect(later.error).toBeNull();
    expect(later.headers?.["ratelimit-remaining"]).toBe("1");

    const attempts = await catcher.requests();
    expect(attempts.map((a) => [a.status, a.source])).toEqual([
      [200, null],
      [200, null],
      [429, "rate-limit"],
      [429, "rate-limit"],
      [200, null],
    ]);
    expect(attempts[2]?.recipients).toEqual(["c@example.com"]);
  });

  it("counts every key against one team bucket by default, or each key alone with scope key", async () => {
    const clock = manualClock();
    const team = await startTestCatcher({ rateLimit: 1, now: clock.now });
    const other = new Resend("re_other_key", { baseUrl: team.catcher.url });
    expect((await team.resend.emails.send(email("t1@example.com"))).error).toBeNull();
    expect((await other.emails.send(email("t2@example.com"))).error?.statusCode).toBe(429);

    const perKey = await startTestCatcher({ rateLimit: "1/s", rateLimitScope: "key", now: clock.now });
    const second = new Resend("re_other_key", { baseUrl: perKey.catcher.url });
    expect((await perKey.resend.emails.send(email("k1@example.com"))).error).toBeNull();
    expect((await second.emails.send(email("k2@example.com"))).error).toBeNull();
    expect((await second.emails.send(email("k3@example.com"))).error?.statusCode).toBe(429);
  });

  it("counts a batch of 100 emails as one request, and GET /emails/:id as one too", async () => {
    const clock = manualClock();
    const { catcher, resend } = await startTestCatcher({ rateLimit: "2/s", now: clock.now });
    const emails = Array.from({ length: 100 }, (_, i) => email(`batch-${i}@example.com`));
    const batch = await resend.batch.send(emails);
    expect(batch.error).toBeNull();
    expect(batch.data?.data).toHaveLength(100);
    expect(batch.headers?.["ratelimit-remaining"]).toBe("1");

    const got = await resend.emails.get(batch.data?.data[0]?.id ?? "");
    expect(got.error).toBeNull();
    expect(got.headers?.["ratelimit-remaining"]).toBe("0");
    const limited = await resend.emails.get(batch.data?.data[1]?.id ?? "");
    expect(limited.error).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });

    expect(catcher.counters()).toMatchObject({
      calls: 3,
      status429: 1,
      rateLimited: 1,
      emailsAccepted: 100,
      byEndpoint: {
        "POST /emails": { calls: 0, status429: 0, rateLimited: 0, emailsAccepted: 0 },
        "POST /emails/batch": { calls: 1, status429: 0, rateLimited: 0, emailsAccepted: 100 },
        "GET /emails/:id": { calls: 2, status429: 1, rateLimited: 1, emailsAccepted: 0 },
      },
    });
  });

  it("never counts the inbox or the /_catcher API", async () => {
    const clock = manualClock();
    const { catcher, resend } = await startTestCatcher({ rateLimit: "1/s", now: clock.now });
    for (let i = 0; i < 5; i++) {
      expect((await raw(catcher, "/_catcher/health", { method: "GET" })).status).toBe(200);
      expect((await raw(catcher, "/", { method: "GET" })).status).toBe(200);
      expect((await raw(catcher, "/_catcher/messages", { method: "GET" })).headers.get("ratelimit-limit")).toBeNull();
    }
    expect((await resend.emails.send(email("first@example.com"))).error).toBeNull();
    expect(catcher.counters().calls).toBe(1);
  });

  it("is off by default: no ratelimit headers and no 429s", async () => {
    const { catcher, resend } = await startTestCatcher();
    for (let i = 0; i < 5; i++) {
      const sent = await resend.emails.send(email(`free-${i}@example.com`));
      expect(sent.error).toBeNull();
      expect(sent.headers?.["ratelimit-limit"]).toBeUndefined();
    }
    expect(catcher.counters()).toMatchObject({ calls: 5, status429: 0, rateLimited: 0, emailsAccepted: 5 });
  });

  it("reports whole seconds until the window ends for longer windows", async () => {
    const clock = manualClock();
    const { resend } = await startTestCatcher({ rateLimit: "1/2s", now: clock.now });
    expect((await resend.emails.send(email("w@example.com"))).headers).toMatchObject({
      "ratelimit-policy": "1;w=2",
      "ratelimit-reset": "2",
    });
    clock.t += 500;
    const limited = await resend.emails.send(email("w@example.com"));
    expect(limited.error?.message).toBe(
      "Too many requests. You can only make 1 requests per 2 seconds. See rate limit response headers for more information. Or contact support to increase rate limit.",
    );
    expect(limited.headers).toMatchObject({ "retry-after": "2", "ratelimit-reset": "2", "ratelimit-remaining": "0" });
    clock.t += 1000;
    expect((await resend.emails.send(email("w@example.com"))).headers?.["retry-after"]).toBe("1");
  });

  it("still counts refused requests (401 excepted) and shows the limit on them", async () => {
    const clock = manualClock();
    const { catcher } = await startTestCatcher({ rateLimit: "2/s", now: clock.now });
    const noKey = await raw(catcher, "/emails", { body: JSON.stringify(email("x@example.com")), headers: { "content-type": "application/json" } });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get("ratelimit-limit")).toBeNull();
    const invalid = await raw(catcher, "/emails", { body: JSON.stringify({ to: "x@example.com" }), headers: AUTH });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get("ratelimit-remaining")).toBe("1");
    const accepted = await raw(catcher, "/emails/batch", { body: JSON.stringify([email("y@example.com")]), headers: AUTH });
    expect(accepted.status).toBe(200);
    const limited = await raw(catcher, "/emails/batch", { body: JSON.stringify([email("z@example.com")]), headers: AUTH });
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ statusCode: 429, name: "rate_limit_exceeded", message: MESSAGE_2_PER_S });
    expect(catcher.counters()).toMatchObject({ calls: 4, status429: 1, rateLimited: 1, emailsAccepted: 1 });
  });

  it("gives an injected 429 the configured limit in its headers and counts it as a 429, not as rate limited", async () => {
    const { catcher, resend } = await startTestCatcher({ rateLimit: "10/s" });
    const injected = await resend.emails.send(email("ratelimit3s+inj@example.com"));
    expect(injected.error?.statusCode).toBe(429);
    expect(injected.headers).toMatchObject({
      "retry-after": "3",
      "ratelimit-limit": "10",
      "ratelimit-policy": "10;w=1",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "3",
    });
    expect(catcher.counters()).toMatchObject({ calls: 1, status429: 1, rateLimited: 0 });
  });

  it("exposes the counters over HTTP and clears them with the request log and with reset", async () => {
    const clock = manualClock();
    const { catcher, resend } = await startTestCatcher({ rateLimit: "1/s", now: clock.now });
    const client = createMailCatcherClient(catcher.url);
    await resend.emails.send(email("c1@example.com"));
    await resend.emails.send(email("c2@example.com"));
    const counted = await client.counters();
    expect(counted).toMatchObject({ calls: 2, status429: 1, rateLimited: 1, emailsAccepted: 1 });
    expect(counted.byEndpoint["POST /emails"]).toEqual({ calls: 2, status429: 1, rateLimited: 1, emailsAccepted: 1 });
    expect(Date.parse(counted.since)).toBe(clock.t);

    await client.clearRequests();
    expect(await client.counters()).toMatchObject({ calls: 0, status429: 0, rateLimited: 0, emailsAccepted: 0 });
    // Clearing the log keeps the window; a reset refills it.
    expect((await resend.emails.send(email("c3@example.com"))).error?.statusCode).toBe(429);
    await client.reset();
    expect((await resend.emails.send(email("c3@example.com"))).error).toBeNull();
    expect((await raw(catcher, "/_catcher/counters", { method: "POST", headers: AUTH })).status).toBe(405);
  });
});

describe("parseRateLimit", () => {
  it("reads N/s, N/Ks and N/m, and 0/off as no limit", () => {
    expect(parseRateLimit("2/s")).toEqual({ limit: 2, windowSeconds: 1 });
    expect(parseRateLimit(" 10 / 2s ")).toEqual({ limit: 10, windowSeconds: 2 });
    expect(parseRateLimit("100/m")).toEqual({ limit: 100, windowSeconds: 60 });
    expect(parseRateLimit("0")).toBeNull();
    expect(parseRateLimit("off")).toBeNull();
    expect(parseRateLimit("0/s")).toBeNull();
    for (const bad of ["2", "2/h", "-1/s", "x/s", "2/0s", ""]) expect(() => parseRateLimit(bad), bad).toThrow(/rate limit/);
  });
});
