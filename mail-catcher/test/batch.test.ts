import { describe, expect, it } from "vitest";
import { AUTH, email, raw, startTestCatcher } from "./helpers";

const chunk = <T>(list: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

const recipients = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `user-${i}+${tag}@example.com`);

describe("POST /emails/batch, Resend's semantics", () => {
  it("permissive: 2 bad recipients of 250 fail alone, by rule, and the other 248 are sent in 3 calls", async () => {
    const { catcher, resend } = await startTestCatcher();
    const to = recipients(250, "perm");
    catcher.addFault({ id: "two-bad", match: "^user-(17|142)\\+perm@", status: 422 });

    const results = [];
    for (const [n, part] of chunk(to, 100).entries()) {
      results.push(await resend.batch.send(part.map((t) => email(t)), { batchValidation: "permissive", idempotencyKey: `welcome-perm/${n}` }));
    }
    expect(results.map((r) => r.error)).toEqual([null, null, null]);
    expect(results.map((r) => r.data?.data.length)).toEqual([99, 99, 50]);
    expect(results.map((r) => r.data?.errors.map((e) => e.index))).toEqual([[17], [42], []]);
    expect(results[0]?.data?.errors[0]?.message).toContain("user-17+perm@example.com");

    const stored = await catcher.messages();
    expect(stored).toHaveLength(248);
    expect(new Set(stored.flatMap((m) => m.to))).not.toContain("user-17+perm@example.com");
    // `data` follows the payload order, without the failed emails.
    const firstBatch = stored.filter((m) => m.idempotency_key === "welcome-perm/0").sort((a, b) => (a.batch_index ?? 0) - (b.batch_index ?? 0));
    expect(firstBatch.map((m) => m.id)).toEqual(results[0]?.data?.data.map((d) => d.id));
    expect(firstBatch.map((m) => m.batch_index)).not.toContain(17);

    expect(catcher.faults()[0]?.hits).toBe(2);
    expect(catcher.counters()).toMatchObject({ calls: 3, emailsAccepted: 248, byEndpoint: { "POST /emails/batch": { calls: 3 } } });
    const log = await catcher.requests({ to: "user-142+perm@example.com" });
    expect(log.map((a) => [a.status, a.source])).toEqual([[200, "rule:two-bad"]]);

    // The key covers the whole batch: a retry replays the answer, errors included, and sends nothing.
    const replay = await resend.batch.send(chunk(to, 100)[0]!.map((t) => email(t)), { batchValidation: "permissive", idempotencyKey: "welcome-perm/0" });
    expect(replay.data).toEqual(results[0]?.data);
    expect(await catcher.messages()).toHaveLength(248);
    // The validation mode is part of the request: the same key in strict mode is another request.
    const strictReuse = await resend.batch.send(chunk(to, 100)[0]!.map((t) => email(t)), { idempotencyKey: "welcome-perm/0" });
    expect(strictReuse.error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });
  });

  it("strict (the default): one bad recipient refuses its whole batch with 422 and nothing of it is stored", async () => {
    const { catcher, resend } = await startTestCatcher();
    const to = recipients(250, "strict");
    catcher.addFault({ match: "^user-(17|142)\\+strict@", status: 422 });
    const results = [];
    for (const part of chunk(to, 100)) results.push(await resend.batch.send(part.map((t) => email(t))));
    expect(results.map((r) => r.error?.statusCode ?? 200)).toEqual([422, 422, 200]);
    expect(results[0]?.error?.name).toBe("validation_error");
    expect(results[0]?.error?.message).toContain("user-17+strict@example.com");
    expect(await catcher.messages()).toHaveLength(50);

    // Invalid fields too: only the first invalid email's error comes back, naming its index.
    const invalid = await resend.batch.send([email("ok@example.com"), email("nope"), email("also-bad")]);
    expect(invalid.error).toEqual({
      statusCode: 422,
      name: "validation_error",
      message:
        "Email at index 1: Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
    });
  });

  it("holds at most 100 emails: strict refuses 101, permissive sends the first 100 and lists the rest", async () => {
    const { catcher, resend } = await startTestCatcher();
    const emails = recipients(101, "big").map((t) => email(t));
    const strict = await resend.batch.send(emails);
    expect(strict.error).toMatchObject({ statusCode: 422, name: "validation_error" });
    expect(strict.error?.message).toContain("between 1 and 100 emails");
    expect(await catcher.messages()).toHaveLength(0);

    const permissive = await resend.batch.send(emails, { batchValidation: "permissive" });
    expect(permissive.data?.data).toHaveLength(100);
    expect(permissive.data?.errors).toEqual([{ index: 100, message: expect.stringContaining("more than 100 emails") }]);
    expect(await catcher.messages({ to: "user-100+big@example.com" })).toEqual([]);

    for (const body of ["[]", "{}", '"x"']) {
      const r = await raw(catcher, "/emails/batch", { body, headers: { ...AUTH, "x-batch-validation": "permissive" } });
      expect(r.status, body).toBe(422);
    }
    expect((await raw(catcher, "/emails/batch", { body: "{}", headers: AUTH })).json).toMatchObject({
      message: "The `request.body` field must be an `array`.",
    });
  });

  it("permissive: a rule's `times` is used up email by email, and all-invalid answers 200 with only errors", async () => {
    const { catcher, resend } = await startTestCatcher();
    catcher.addFault({ id: "once", match: "^flaky", status: 422, times: 1 });
    const once = await resend.batch.send([email("flaky-a@example.com"), email("flaky-b@example.com")], { batchValidation: "permissive" });
    expect(once.data?.errors.map((e) => e.index)).toEqual([0]);
    expect(once.data?.data).toHaveLength(1);
    expect((await catcher.messages())[0]?.to).toEqual(["flaky-b@example.com"]);

    const none = await resend.batch.send([email("bad"), email("reject+x@example.com")], { batchValidation: "permissive" });
    expect(none.error).toBeNull();
    expect(none.data?.data).toEqual([]);
    expect(none.data?.errors.map((e) => e.index)).toEqual([0, 1]);
    expect(await catcher.messages()).toHaveLength(1);
  });

  it("permissive: a provider failure that is not about one address (5xx, 429) still fails the whole request", async () => {
    const { catcher, resend } = await startTestCatcher();
    const r = await resend.batch.send([email("fine@example.com"), email("bounce503x1+batch@example.com")], {
      batchValidation: "permissive",
      idempotencyKey: "b503",
    });
    expect(r.error).toMatchObject({ statusCode: 503, name: "application_error" });
    expect(await catcher.messages()).toHaveLength(0);
    const retry = await resend.batch.send([email("fine@example.com"), email("bounce503x1+batch@example.com")], {
      batchValidation: "permissive",
      idempotencyKey: "b503",
    });
    expect(retry.data?.data).toHaveLength(2);
    expect(retry.data?.errors).toEqual([]);
  });

  it("takes scheduled_at like Resend's batch endpoint, and refuses attachments", async () => {
    const { catcher, resend } = await startTestCatcher();
    const scheduled = await resend.batch.send([email("later@example.com", { scheduledAt: "2030-01-01T00:00:00.000Z" })]);
    expect(scheduled.error).toBeNull();
    expect((await catcher.messages())[0]?.scheduled_at).toBe("2030-01-01T00:00:00.000Z");

    const withFile = await raw(catcher, "/emails/batch", {
      body: JSON.stringify([{ ...email("file@example.com"), attachments: [{ filename: "a.txt", content: "aGk=" }] }]),
      headers: AUTH,
    });
    expect(withFile.status).toBe(422);
    expect(withFile.json).toMatchObject({ message: "Email at index 0: `attachments` are not supported in batch emails." });
  });
});
