import { describe, expect, it } from "vitest";
import { createMailCatcherClient } from "../index";
import { email, raw, startTestCatcher } from "./helpers";

describe("fault conventions", () => {
  it("rejects reject* recipients with 422 validation_error, every time", async () => {
    const { catcher, resend } = await startTestCatcher();
    for (let i = 0; i < 2; i++) {
      const { data, error } = await resend.emails.send(email("reject+abc@example.com"));
      expect(data).toBeNull();
      expect(error?.name).toBe("validation_error");
      expect(error?.statusCode).toBe(422);
      expect(error?.message).toContain("reject+abc@example.com");
    }
    // Any recipient field counts, and a display name does not hide the address.
    const viaCc = await resend.emails.send(email("fine@example.com", { cc: "Rita <Reject.Me@example.com>" }));
    expect(viaCc.error?.statusCode).toBe(422);
    expect(await catcher.messages()).toHaveLength(0);
  });

  it("answers bounce503x2 with 503 twice, then stores exactly one message on the third try", async () => {
    const { catcher, resend } = await startTestCatcher();
    const to = "bounce503x2+abc@example.com";
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await resend.emails.send(email(to), { idempotencyKey: "welcome-abc" }));
    expect(results.map((r) => r.error?.statusCode ?? 200)).toEqual([503, 503, 200]);
    expect(results[0]?.error?.name).toBe("application_error");
    expect(await catcher.messages({ to })).toHaveLength(1);

    const attempts = await catcher.requests({ to });
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(attempts[2]?.message_ids).toEqual([results[2]?.data?.id]);
    // Counted per exact address: another tag starts from zero.
    expect((await resend.emails.send(email("bounce503x2+other@example.com"))).error?.statusCode).toBe(503);
  });

  it("answers ratelimit2s once with 429 and a retry-after header the SDK passes on", async () => {
    const { catcher, resend } = await startTestCatcher();
    const to = "ratelimit2s+abc@example.com";
    const limited = await resend.emails.send(email(to));
    expect(limited.error).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
    expect(limited.headers?.["retry-after"]).toBe("2");
    const next = await resend.emails.send(email(to));
    expect(next.error).toBeNull();
    expect((await catcher.requests({ to })).map((a) => a.status)).toEqual([429, 200]);
  });

  it("clears the conventions' counters with DELETE /_catcher/requests", async () => {
    const { catcher, resend } = await startTestCatcher();
    const to = "bounce500x1@example.com";
    expect((await resend.emails.send(email(to))).error?.statusCode).toBe(500);
    expect((await resend.emails.send(email(to))).error).toBeNull();
    expect((await raw(catcher, "/_catcher/requests", { method: "DELETE" })).status).toBe(200);
    expect(await catcher.requests()).toEqual([]);
    expect((await resend.emails.send(email(to))).error?.statusCode).toBe(500);
  });
});

describe("runtime fault rules", () => {
  it("lets a test accept a rejected address, then restores the convention when the rule goes", async () => {
    const { catcher, resend } = await startTestCatcher();
    const client = createMailCatcherClient(catcher.url);
    const to = "reject+fixed@example.com";
    expect((await resend.emails.send(email(to))).error?.statusCode).toBe(422);

    const rule = await client.addFault({ match: "^reject\\+fixed@", status: "accept" });
    expect(rule).toMatchObject({ status: 200, remaining: null });
    const accepted = await resend.emails.send(email(to));
    expect(accepted.error).toBeNull();
    expect((await client.faults())[0]?.hits).toBe(1);

    expect(await client.removeFault(rule.id)).toBe(true);
    expect(await client.removeFault(rule.id)).toBe(false);
    expect((await resend.emails.send(email(to))).error?.statusCode).toBe(422);
    expect(await client.messages({ to })).toHaveLength(1);
  });

  it("fails matching recipients with the rule's status for `times` requests, ahead of the conventions", async () => {
    const { catcher, resend } = await startTestCatcher();
    catcher.setFaults([
      { id: "flaky", match: "@flaky\\.test$", status: 500, times: 2, message: "boom" },
      { match: "^ratelimit", status: 429, retryAfter: 7 },
    ]);
    const flaky = [];
    for (let i = 0; i < 3; i++) flaky.push(await resend.emails.send(email("someone@flaky.test")));
    expect(flaky.map((r) => r.error?.statusCode ?? 200)).toEqual([500, 500, 200]);
    expect(flaky[0]?.error).toEqual({ statusCode: 500, name: "internal_server_error", message: "boom" });
    expect(catcher.faults()[0]).toMatchObject({ id: "flaky", remaining: 0, hits: 2 });

    // The unlimited rule beats the ratelimit convention's "once".
    for (let i = 0; i < 2; i++) {
      const r = await resend.emails.send(email("ratelimit1s@example.com"));
      expect(r.error?.statusCode).toBe(429);
      expect(r.headers?.["retry-after"]).toBe("7");
    }
    catcher.clearFaults();
    expect((await resend.emails.send(email("ratelimit1s@example.com"))).error?.statusCode).toBe(429);
    expect((await resend.emails.send(email("ratelimit1s@example.com"))).error).toBeNull();
  });

  it("manages rules over HTTP and refuses invalid ones with 422", async () => {
    const { catcher } = await startTestCatcher();
    const put = await raw(catcher, "/_catcher/faults", {
      method: "PUT",
      body: JSON.stringify([{ match: "x", status: 503 }]),
      headers: { "content-type": "application/json" },
    });
    expect(put.status).toBe(200);
    expect((put.json as { id: string }[])[0]?.id).toEqual(expect.any(String));
    for (const bad of ['[{"match":"(","status":503}]', '[{"match":"x","status":302}]', '{"match":"x"}', "[{", '[{"match":"x","status":503,"times":0}]']) {
      const r = await raw(catcher, "/_catcher/faults", { method: "PUT", body: bad, headers: { "content-type": "application/json" } });
      expect(r.status, bad).toBeGreaterThanOrEqual(400);
      expect(r.status, bad).toBeLessThan(500);
    }
    expect(catcher.faults()).toHaveLength(1);
    expect((await raw(catcher, "/_catcher/faults", { method: "DELETE" })).status).toBe(200);
    expect((await raw(catcher, "/_catcher/faults", { method: "GET" })).json).toEqual([]);
  });

  it("adds a delay per rule: a client that times out still gets its email sent once", async () => {
    const { catcher, resend } = await startTestCatcher();
    const to = "slowpoke@example.com";
    catcher.addFault({ match: "^slowpoke@", status: 200, delayMs: 300 });
    const timedOut = await resend.emails.send(email(to), { idempotencyKey: "slow-1", signal: AbortSignal.timeout(50) });
    expect(timedOut.error).toMatchObject({ name: "application_error", statusCode: null });

    // Like a real provider, the catcher finishes the send the client gave up on…
    const [stored] = await catcher.waitForMessages({ to, timeoutMs: 5_000 });
    // …and the retry with the same key gets that message's id instead of a second email.
    const retry = await resend.emails.send(email(to), { idempotencyKey: "slow-1" });
    expect(retry.data?.id).toBe(stored?.id);
    expect(await catcher.messages({ to })).toHaveLength(1);
  });
});
