// The stale dead-letter alert: only for OPEN letters older than 24 h, grouped by function and
// error, at most one email per admin per UTC day — driven by the executor's injected clock.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { inngest } from "@/inngest/client";
import { SCHEDULES } from "@/lib/schedules/definitions";
import { sendEmail } from "@/lib/email/mailer";
import { alertIdempotencyKey } from "@/lib/dead-letters/stale-alert";
import { address } from "@/tests/background/helpers";
import { makeDeadLetter, makeUser } from "@/tests/factories";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { fakeClock, finishedEventRun, finishedTickRun, optOutEveryone, settledScheduledRun } from "./helpers";

// A past date: letters other test files record at the real time are "newer" and never stale here.
const clock = fakeClock("2026-05-31T08:30:00Z");
let stack: BackgroundStack;
let admins: { id: string; email: string }[];
let member: { id: string; email: string };
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  stack = await startBackgroundStack({ clock: clock.now });
  admins = [await makeUser({ email: address("admin-a"), name: "Admin A", role: "ADMIN" }), await makeUser({ email: address("admin-b"), name: "Admin B", role: "ADMIN" })];
  member = await makeUser({ email: address("member") });
  await optOutEveryone(); // the Monday digest comes due on the way; only the alert is looked at here
  // The alert counts every open letter in the database. Files in this worker run one after another
  // and some leave old letters behind (e.g. the retention test): start from none that old.
  await db.deadLetterJob.deleteMany({ where: { lastFailedAt: { lt: new Date("2026-07-01T00:00:00Z") } } });
});
afterAll(async () => {
  await stack?.stop();
});

async function letter(fn: string, error: string, status: "OPEN" | "RETRYING" | "RESOLVED", lastFailedAt: string) {
  const failedAt = new Date(lastFailedAt);
  await makeDeadLetter({ status, failedAt, resolvedAt: status === "RESOLVED" ? failedAt : null, functionId: `signup-app-${fn}-${tag}`, functionName: `${fn} ${tag}`, errorMessage: error, attempts: 5 });
}

async function tick(iso: string) {
  clock.set(iso);
  await stack.engine.cronTick();
  const run = await finishedTickRun(SCHEDULES.staleDeadLetterAlert, iso);
  return settledScheduledRun(run.run_id);
}

const inbox = (to: string) => stack.mail.messages({ to });
const adminCount = () => db.user.count({ where: { role: "ADMIN" } });

describe("stale dead-letter alert (09:00 UTC)", () => {
  it("stays quiet while open letters are younger than 24 h (resolved and retrying ones never count)", async () => {
    await letter("Send welcome email", "Email provider answered 422: rejected", "OPEN", "2026-05-30T10:00:00Z"); // 23 h at the tick
    await letter("Process avatar", "old but resolved", "RESOLVED", "2026-05-01T00:00:00Z");
    await letter("Process avatar", "old but being retried", "RETRYING", "2026-05-01T00:00:00Z");
    const row = await tick("2026-05-31T09:00:00Z");
    expect(row.summary).toBe("No open dead letters older than 24 hours; no alert sent.");
    for (const admin of admins) expect(await inbox(admin.email)).toHaveLength(0);
  });

  it("emails every admin a summary grouped by function and error once letters are older than 24 h", async () => {
    await letter("Process avatar", "Input buffer contains unsupported image format", "OPEN", "2026-05-29T12:00:00Z");
    await letter("Process avatar", "Input buffer contains unsupported image format", "OPEN", "2026-05-30T12:00:00Z");
    const row = await tick("2026-06-01T09:00:00Z");
    expect(row.summary).toBe(`Alerted ${await adminCount()} admins about 3 stale dead letters in 2 groups.`);

    for (const admin of admins) {
      const [message, ...more] = await inbox(admin.email);
      expect(more).toHaveLength(0);
      expect(message).toMatchObject({ subject: "3 dead letters open for more than 24 hours", idempotency_key: `dead-letter-alert/2026-06-01/${admin.id}` });
      expect(message!.text).toContain(`- Process avatar ${tag} — Error: Input buffer contains unsupported image format (2 open, oldest 2026-05-29T12:00:00.000Z)`);
      expect(message!.text).toContain(`- Send welcome email ${tag} — Error: Email provider answered 422: rejected (1 open, oldest 2026-05-30T10:00:00.000Z)`);
      expect(message!.text).not.toMatch(/resolved|being retried/);
      expect(message!.text).toContain("http://localhost:3000/admin/dead-letters?status=OPEN");
    }
    expect(await inbox(member.email)).toHaveLength(0);
  });

  it("does not email again the same day, however often it runs", async () => {
    const { ids } = await inngest.send({ name: SCHEDULES.staleDeadLetterAlert.runEvent, data: { requestedBy: "ops@example.com" }, ts: Date.parse("2026-06-01T17:00:00Z") });
    const run = await finishedEventRun(ids[0]!, SCHEDULES.staleDeadLetterAlert.id);
    expect((await settledScheduledRun(run.run_id)).summary).toBe("3 stale dead letters in 2 groups; every admin was already alerted today.");
    for (const admin of admins) expect(await stack.mail.requests({ to: admin.email })).toHaveLength(1);
  });

  it("alerts again the next day while the letters are still open", async () => {
    await tick("2026-06-02T09:00:00Z");
    for (const admin of admins) {
      const messages = await inbox(admin.email);
      expect(messages).toHaveLength(2);
      expect(messages[0]!.idempotency_key).toBe(`dead-letter-alert/2026-06-02/${admin.id}`);
    }
  });

  it("counts an alert sent earlier that day whose record was lost as sent, not as a failure", async () => {
    // As if a run sent 2026-06-03's alert (other counts, same key) and then failed to record it.
    for (const admin of admins) {
      await sendEmail({ to: admin.email, subject: "earlier alert", html: "<p>earlier</p>", text: "earlier", idempotencyKey: alertIdempotencyKey("2026-06-03", admin.id) });
    }
    const row = await tick("2026-06-03T09:00:00Z");
    expect(row.outcome).toBe("succeeded");
    for (const admin of admins) {
      expect((await inbox(admin.email)).filter((m) => m.idempotency_key === alertIdempotencyKey("2026-06-03", admin.id))).toHaveLength(1);
      expect(await db.emailDelivery.count({ where: { userId: admin.id, kind: "dead-letter-alert:2026-06-03" } })).toBe(1);
    }
    expect(await db.deadLetterJob.count({ where: { functionId: { endsWith: SCHEDULES.staleDeadLetterAlert.id } } })).toBe(0);
  });
});
