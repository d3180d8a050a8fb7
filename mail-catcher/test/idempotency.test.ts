import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_TTL_MS } from "../src/store";
import { email, startTestCatcher, tempDir } from "./helpers";

describe("Idempotency-Key", () => {
  it("answers a repeated key and payload with the same id and stores one message", async () => {
    const { catcher, resend } = await startTestCatcher();
    const first = await resend.emails.send(email("idem@example.com"), { idempotencyKey: "welcome/user-1" });
    const second = await resend.emails.send(email("idem@example.com"), { idempotencyKey: "welcome/user-1" });
    expect(first.error).toBeNull();
    expect(second.data).toEqual(first.data);
    const stored = await catcher.messages({ to: "idem@example.com" });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.idempotency_key).toBe("welcome/user-1");
    expect((await catcher.requests()).map((a) => [a.status, a.source])).toEqual([
      [200, null],
      [200, "idempotent-replay"],
    ]);
  });

  it("treats key order in the JSON as the same payload", async () => {
    const { catcher, resend } = await startTestCatcher();
    const a = await resend.emails.send({ from: "a@acme.test", to: "o@example.com", subject: "s", text: "t" }, { idempotencyKey: "k" });
    const body = JSON.stringify({ text: "t", subject: "s", to: "o@example.com", from: "a@acme.test" });
    const b = await fetch(`${catcher.url}/emails`, {
      method: "POST",
      body,
      headers: { authorization: "Bearer x", "idempotency-key": "k", "content-type": "application/json" },
    });
    expect(await b.json()).toEqual(a.data);
  });

  it("refuses the same key with a different payload: 409 invalid_idempotent_request", async () => {
    const { catcher, resend } = await startTestCatcher();
    await resend.emails.send(email("idem@example.com"), { idempotencyKey: "k-1" });
    const changed = await resend.emails.send(email("idem@example.com", { subject: "Other" }), { idempotencyKey: "k-1" });
    expect(changed.data).toBeNull();
    expect(changed.error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });
    // The same key on the batch endpoint is a different request too.
    const batch = await resend.batch.send([email("idem@example.com")], { idempotencyKey: "k-1" });
    expect(batch.error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });
    expect(await catcher.messages()).toHaveLength(1);
  });

  it("stores one message for concurrent requests with one key; the other gets 409 concurrent_idempotent_requests", async () => {
    // The latency keeps the first request in progress while the second arrives.
    const { catcher, resend } = await startTestCatcher({ latencyMs: 300 });
    const results = await Promise.all([
      resend.emails.send(email("race@example.com"), { idempotencyKey: "race" }),
      resend.emails.send(email("race@example.com"), { idempotencyKey: "race" }),
    ]);
    const ok = results.filter((r) => r.error === null);
    const refused = results.filter((r) => r.error !== null);
    expect(ok).toHaveLength(1);
    expect(refused[0]?.error).toMatchObject({ statusCode: 409, name: "concurrent_idempotent_requests" });
    expect(await catcher.messages()).toHaveLength(1);

    // Retrying once the first has finished replays its answer.
    const retry = await resend.emails.send(email("race@example.com"), { idempotencyKey: "race" });
    expect(retry.data).toEqual(ok[0]?.data);
  });

  it("does not remember failed attempts, so a retry with the key can succeed", async () => {
    const { catcher, resend } = await startTestCatcher();
    const to = "bounce503x1+idem@example.com";
    const first = await resend.emails.send(email(to), { idempotencyKey: "retry-me" });
    expect(first.error?.statusCode).toBe(503);
    const second = await resend.emails.send(email(to), { idempotencyKey: "retry-me" });
    const third = await resend.emails.send(email(to), { idempotencyKey: "retry-me" });
    expect(second.error).toBeNull();
    expect(third.data).toEqual(second.data);
    expect(await catcher.messages({ to })).toHaveLength(1);
  });

  it("replays batches and survives a restart", async () => {
    const dataDir = await tempDir();
    const before = await startTestCatcher({ dataDir });
    const first = await before.resend.batch.send([email("b1@example.com"), email("b2@example.com")], { idempotencyKey: "batch-1" });
    await before.catcher.stop();

    const after = await startTestCatcher({ dataDir });
    const again = await after.resend.batch.send([email("b1@example.com"), email("b2@example.com")], { idempotencyKey: "batch-1" });
    expect(again.data).toEqual(first.data);
    const conflict = await after.resend.batch.send([email("b3@example.com")], { idempotencyKey: "batch-1" });
    expect(conflict.error?.name).toBe("invalid_idempotent_request");
    expect(await after.catcher.messages()).toHaveLength(2);
  });

  it("forgets a key after 24 hours", async () => {
    let now = Date.parse("2026-11-29T12:00:00Z");
    const { catcher, resend } = await startTestCatcher({ now: () => now });
    const first = await resend.emails.send(email("ttl@example.com"), { idempotencyKey: "daily" });
    now += IDEMPOTENCY_TTL_MS - 1;
    expect((await resend.emails.send(email("ttl@example.com"), { idempotencyKey: "daily" })).data).toEqual(first.data);
    now += 1;
    const later = await resend.emails.send(email("ttl@example.com", { subject: "changed" }), { idempotencyKey: "daily" });
    expect(later.error).toBeNull();
    expect(later.data?.id).not.toBe(first.data?.id);
    expect(await catcher.messages()).toHaveLength(2);
  });
});
