import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createMailCatcherClient } from "../index";
import { email, raw, startTestCatcher, tempDir } from "./helpers";

describe("durable storage", () => {
  it("keeps messages across stop and start on the same data dir", async () => {
    const dataDir = await tempDir();
    const first = await startTestCatcher({ dataDir });
    const a = await first.resend.emails.send(email("keep@example.com", { subject: "one" }));
    const b = await first.resend.emails.send(email("keep@example.com", { subject: "two" }));
    await first.catcher.stop();

    const second = await startTestCatcher({ dataDir });
    expect((await second.catcher.messages()).map((m) => m.id)).toEqual([b.data?.id, a.data?.id]);
    // New messages still sort after the ones from before the restart.
    const c = await second.resend.emails.send(email("keep@example.com", { subject: "three" }));
    expect((await second.catcher.messages())[0]?.id).toBe(c.data?.id);
  });

  it("ignores an interrupted write and an unreadable record at start", async () => {
    const dataDir = await tempDir();
    const first = await startTestCatcher({ dataDir });
    await first.resend.emails.send(email("ok@example.com"));
    await first.catcher.stop();
    const sends = path.join(dataDir, "sends");
    await writeFile(path.join(sends, ".tmp-crashed"), '{"version":1,"seq":9');
    await writeFile(path.join(sends, "000000000005-garbage.json"), "not json");

    const lines: string[] = [];
    const second = await startTestCatcher({ dataDir, log: (line) => lines.push(line) });
    expect(await second.catcher.messages()).toHaveLength(1);
    expect(await readdir(sends)).not.toContain(".tmp-crashed");
    expect(lines.some((l) => l.includes("skipping unreadable send record"))).toBe(true);
  });

  it("clears messages and their idempotency records with DELETE /_catcher/messages", async () => {
    const dataDir = await tempDir();
    const { catcher, resend } = await startTestCatcher({ dataDir });
    const before = await resend.emails.send(email("gone@example.com"), { idempotencyKey: "k" });
    expect((await raw(catcher, "/_catcher/messages", { method: "DELETE" })).json).toEqual({ deleted: 1 });
    expect(await catcher.messages()).toEqual([]);
    expect(await readdir(path.join(dataDir, "sends"))).toEqual([]);
    const after = await resend.emails.send(email("gone@example.com"), { idempotencyKey: "k" });
    expect(after.data?.id).not.toBe(before.data?.id);
  });

  it("long-polls for messages that arrive later, and gives up after the wait", async () => {
    const { catcher, resend } = await startTestCatcher();
    const client = createMailCatcherClient(catcher.url);
    const waiting = client.waitForMessages({ to: "later@example.com", count: 2, timeoutMs: 5_000 });
    await resend.emails.send(email("later@example.com"));
    await resend.emails.send(email("later@example.com"));
    expect(await waiting).toHaveLength(2);
    await expect(client.waitForMessages({ to: "never@example.com", timeoutMs: 50 })).rejects.toThrow(/expected 1 message/);
    await expect(catcher.waitForMessages({ to: "never@example.com", timeoutMs: 50 })).rejects.toThrow(/found 0/);
  });

  it("resets everything with POST /_catcher/reset", async () => {
    const { catcher, resend } = await startTestCatcher();
    catcher.addFault({ match: "x", status: 503 });
    await resend.emails.send(email("r@example.com"));
    expect((await raw(catcher, "/_catcher/reset", { headers: { "content-type": "application/json" } })).status).toBe(200);
    expect(await catcher.messages()).toEqual([]);
    expect(await catcher.requests()).toEqual([]);
    expect(catcher.faults()).toEqual([]);
  });
});
