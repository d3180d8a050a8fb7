import { describe, expect, it } from "vitest";
import { AUTH, FROM, email, raw, startTestCatcher } from "./helpers";

describe("POST /emails through the Resend SDK", () => {
  it("stores the message and shows it in the JSON API and the inbox", async () => {
    const { catcher, resend } = await startTestCatcher();
    const { data, error, headers } = await resend.emails.send({
      from: FROM,
      to: ["Ada <ada@example.com>", "bob@example.com"],
      cc: "carol@example.com",
      bcc: ["dan@example.com"],
      replyTo: "support@acme.test",
      subject: "Welcome aboard",
      html: "<h1>Hi Ada</h1>",
      text: "Hi Ada",
      headers: { "X-Entity-Ref-ID": "user-42" },
      tags: [{ name: "category", value: "welcome" }],
    });
    expect(error).toBeNull();
    expect(data?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers?.["content-type"]).toContain("application/json");

    const [stored, ...others] = await catcher.messages({ to: "ada@example.com" });
    expect(others).toHaveLength(0);
    expect(stored).toMatchObject({
      id: data?.id,
      from: FROM,
      to: ["Ada <ada@example.com>", "bob@example.com"],
      cc: ["carol@example.com"],
      bcc: ["dan@example.com"],
      reply_to: ["support@acme.test"],
      subject: "Welcome aboard",
      html: "<h1>Hi Ada</h1>",
      text: "Hi Ada",
      headers: { "X-Entity-Ref-ID": "user-42" },
      tags: [{ name: "category", value: "welcome" }],
      idempotency_key: null,
    });

    // Filters match any recipient, case-insensitively.
    for (const to of ["BOB@example.com", "carol@example.com", "dan@example.com"]) {
      const viaHttp = await raw(catcher, `/_catcher/messages?to=${encodeURIComponent(to)}`, { method: "GET" });
      expect((viaHttp.json as { id: string }[]).map((m) => m.id)).toEqual([data?.id]);
    }
    expect((await raw(catcher, "/_catcher/messages?to=nobody@example.com", { method: "GET" })).json).toEqual([]);

    const inbox = await raw(catcher, "/", { method: "GET" });
    expect(inbox.status).toBe(200);
    expect(inbox.text).toContain("Welcome aboard");
    expect(inbox.text).toContain(`/messages/${data?.id}`);
    const page = await raw(catcher, `/messages/${data?.id}`, { method: "GET" });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Hi Ada</pre>");
  });

  it("reads a sent email back with emails.get", async () => {
    const { resend } = await startTestCatcher();
    const sent = await resend.emails.send(email("get@example.com"));
    const got = await resend.emails.get(sent.data?.id ?? "");
    expect(got.error).toBeNull();
    expect(got.data).toMatchObject({ object: "email", id: sent.data?.id, to: ["get@example.com"], subject: "Welcome" });
    const missing = await resend.emails.get("00000000-0000-4000-8000-000000000000");
    expect(missing.error).toMatchObject({ statusCode: 404, name: "not_found" });
  });

  it("sends a batch and answers { data: [{ id }…] }", async () => {
    const { catcher, resend } = await startTestCatcher();
    const { data, error } = await resend.batch.send([email("one@example.com"), email("two@example.com", { subject: "Second" })]);
    expect(error).toBeNull();
    expect(data?.data).toHaveLength(2);
    const stored = await catcher.messages();
    // Newest first: the later email of the batch comes first.
    expect(stored.map((m) => m.to[0])).toEqual(["two@example.com", "one@example.com"]);
    expect(stored.map((m) => m.id)).toEqual([data?.data[1]?.id, data?.data[0]?.id]);
    expect(stored[0]).toMatchObject({ endpoint: "/emails/batch", batch_index: 1 });
  });

  it("refuses a whole strict batch with one bad email, and keeps the good ones in permissive mode", async () => {
    const { catcher, resend } = await startTestCatcher();
    const strict = await resend.batch.send([email("ok@example.com"), email("not-an-address")]);
    expect(strict.error).toMatchObject({ statusCode: 422, name: "validation_error" });
    expect(strict.error?.message).toContain("index 1");
    expect(await catcher.messages()).toHaveLength(0);

    const permissive = await resend.batch.send([email("ok@example.com"), email("reject+p@example.com"), email("bad")], {
      batchValidation: "permissive",
    });
    expect(permissive.error).toBeNull();
    expect(permissive.data?.data).toHaveLength(1);
    expect(permissive.data?.errors?.map((e) => e.index)).toEqual([1, 2]);
    expect((await catcher.messages()).map((m) => m.to)).toEqual([["ok@example.com"]]);
  });

  it("answers validation errors as 422 validation_error with a readable message", async () => {
    const { catcher, resend } = await startTestCatcher();
    const noSubject = await resend.emails.send({ from: FROM, to: "x@example.com", text: "t" } as never);
    expect(noSubject.error).toEqual({ statusCode: 422, name: "validation_error", message: "Missing `subject` field." });
    const badTo = await resend.emails.send(email("nope"));
    expect(badTo.error?.message).toBe(
      "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
    );
    const noBody = await resend.emails.send({ from: FROM, to: "x@example.com", subject: "s" } as never);
    expect(noBody.error?.message).toBe("Missing `html` or `text` field.");
    expect(await catcher.messages()).toHaveLength(0);
  });

  it("requires a bearer API key (401 missing_api_key), and only the configured one when set (403)", async () => {
    const { catcher } = await startTestCatcher({ apiKey: "re_right" });
    const body = JSON.stringify(email("k@example.com"));
    const none = await raw(catcher, "/emails", { body, headers: { "content-type": "application/json" } });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ statusCode: 401, name: "missing_api_key" });
    const empty = await raw(catcher, "/emails", { body, headers: { authorization: "Bearer   " } });
    expect(empty.status).toBe(401);
    const wrong = await raw(catcher, "/emails", { body, headers: { authorization: "Bearer re_wrong" } });
    expect(wrong.json).toMatchObject({ statusCode: 403, name: "invalid_api_key" });
    const right = await raw(catcher, "/emails", { body, headers: { authorization: "Bearer re_right", "content-type": "application/json" } });
    expect(right.status).toBe(200);
    expect(await catcher.messages()).toHaveLength(1);
  });

  it("survives malformed and hostile input", async () => {
    const { catcher } = await startTestCatcher({ maxBodyBytes: 1024 });
    const broken = await raw(catcher, "/emails", { body: '{"from": ', headers: AUTH });
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ statusCode: 400, name: "validation_error", message: "The request body is not valid JSON." });

    for (const body of ["null", "[]", '"x"', "42", JSON.stringify({ ...email("a@example.com"), to: { $ne: 1 } })]) {
      const r = await raw(catcher, "/emails", { body, headers: AUTH });
      expect(r.status, body).toBe(422);
    }
    const batchNotArray = await raw(catcher, "/emails/batch", { body: "{}", headers: AUTH });
    expect(batchNotArray.status).toBe(422);

    const big = await raw(catcher, "/emails", { body: JSON.stringify(email("a@example.com", { html: "x".repeat(2500) })), headers: AUTH });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ statusCode: 413 });

    expect((await raw(catcher, "/emails", { method: "GET" })).status).toBe(405);
    expect((await raw(catcher, "/domains", { method: "POST", headers: AUTH, body: "{}" })).status).toBe(404);
    expect((await raw(catcher, "/messages/%E0%A4%A", { method: "GET" })).status).toBe(404);
    const badKey = await raw(catcher, "/emails", { body: "{}", headers: { ...AUTH, "idempotency-key": "k".repeat(257) } });
    expect(badKey.json).toMatchObject({ statusCode: 400, name: "invalid_idempotency_key" });

    // Still serving, nothing stored.
    expect((await raw(catcher, "/_catcher/health", { method: "GET" })).json).toEqual({ ok: true, messages: 0 });
  });

  it("applies --latency-ms to every /emails request", async () => {
    const latencyMs = 120;
    const { catcher, resend } = await startTestCatcher({ latencyMs });
    const started = performance.now();
    const ok = await resend.emails.send(email("slow@example.com"));
    const okElapsed = performance.now() - started;
    const rejectedStart = performance.now();
    const rejected = await resend.emails.send(email("reject+slow@example.com"));
    const rejectedElapsed = performance.now() - rejectedStart;

    expect(ok.error).toBeNull();
    expect(rejected.error?.statusCode).toBe(422);
    // Timers may fire a millisecond early against another clock; a lower bound is all we assert.
    expect(okElapsed).toBeGreaterThanOrEqual(latencyMs - 2);
    expect(rejectedElapsed).toBeGreaterThanOrEqual(latencyMs - 2);
    const attempts = await catcher.requests();
    expect(attempts.every((a) => a.duration_ms >= latencyMs - 2)).toBe(true);
  });
});
