// The nightly purges delete exactly what has expired, as of the tick's time (injected clock).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { inngest } from "@/inngest/client";
import { SCHEDULES } from "@/lib/schedules/definitions";
import { makeDeadLetter, makeUser } from "@/tests/factories";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { fakeClock, finishedEventRun, finishedTickRun, settledScheduledRun } from "./helpers";

const clock = fakeClock("2026-05-31T12:00:00Z");
let stack: BackgroundStack;
beforeAll(async () => {
  stack = await startBackgroundStack({ clock: clock.now });
});
afterAll(async () => {
  await stack?.stop();
});

const at = (iso: string) => new Date(iso);
const token = () => `test-${randomUUID()}`;

const deadLetter = (status: "OPEN" | "RETRYING" | "RESOLVED", lastFailedAt: string, resolvedAt?: string) =>
  makeDeadLetter({ status, failedAt: at(lastFailedAt), resolvedAt: resolvedAt ? at(resolvedAt) : null });

describe("purge expired sessions (02:00 UTC)", () => {
  it("deletes exactly the sessions and rate-limit windows that expired by the tick", async () => {
    const user = await makeUser();
    const session = (expiresAt: string) => db.session.create({ data: { tokenHash: token(), userId: user.id, expiresAt: at(expiresAt) }, select: { id: true } });
    const expired = [await session("2026-05-30T00:00:00Z"), await session("2026-06-01T01:59:59Z"), await session("2026-06-01T02:00:00Z")];
    const live = [await session("2026-06-01T02:00:01Z"), await session("2026-07-01T00:00:00Z")];
    const window = (resetAt: string) => db.rateLimit.create({ data: { key: token(), count: 3, resetAt: at(resetAt) }, select: { key: true } });
    const endedWindows = [await window("2026-06-01T01:00:00Z"), await window("2026-06-01T02:00:00Z")];
    const openWindow = await window("2026-06-01T02:15:00Z");
    // Old run records go too, but every job keeps its latest one.
    const oldRun = (runId: string, startedAt: string) =>
      db.scheduledRun.create({ data: { functionId: "test.old-job", runId, trigger: "cron", startedAt: at(startedAt), outcome: "succeeded" } });
    await oldRun(`old-${randomUUID()}`, "2026-03-01T02:00:00Z");
    const latestOld = await oldRun(`old-${randomUUID()}`, "2026-03-02T02:00:00Z");

    // Whatever else this database holds that has expired by then counts as well.
    const cutoff = at("2026-06-01T02:00:00Z");
    const expectedSessions = await db.session.count({ where: { expiresAt: { lte: cutoff } } });
    const expectedWindows = await db.rateLimit.count({ where: { resetAt: { lte: cutoff } } });

    clock.set("2026-06-01T02:00:00Z");
    await stack.engine.cronTick();
    const run = await finishedTickRun(SCHEDULES.purgeExpired, "2026-06-01T02:00:00Z");
    expect(run.status).toBe("Completed");

    expect(await db.session.count({ where: { id: { in: expired.map((s) => s.id) } } })).toBe(0);
    expect(await db.session.count({ where: { id: { in: live.map((s) => s.id) } } })).toBe(2);
    expect(await db.rateLimit.count({ where: { key: { in: endedWindows.map((w) => w.key) } } })).toBe(0);
    expect(await db.rateLimit.findUnique({ where: { key: openWindow.key } })).not.toBeNull();
    expect(await db.scheduledRun.findMany({ where: { functionId: "test.old-job" }, select: { runId: true } })).toEqual([{ runId: latestOld.runId }]);

    const row = await settledScheduledRun(run.run_id);
    expect(row.summary).toMatch(new RegExp(`^Purged ${expectedSessions} expired sessions?, ${expectedWindows} rate-limit windows?, \\d+ old sign-up records? and \\d+ old run records?\\.$`));
    expect(expectedSessions).toBeGreaterThanOrEqual(3);
  });

  it("runs on demand with its manual event, recorded as a manual run", async () => {
    const { ids } = await inngest.send({ name: SCHEDULES.purgeExpired.runEvent, data: { requestedBy: "ops@example.com" }, ts: Date.parse("2026-06-01T10:00:00Z") });
    const run = await finishedEventRun(ids[0]!, SCHEDULES.purgeExpired.id);
    const row = await settledScheduledRun(run.run_id);
    expect(row).toMatchObject({ trigger: "manual:ops@example.com", outcome: "succeeded" });
  });
});

describe("purge resolved dead letters (02:30 UTC)", () => {
  it("deletes resolved letters past the 30-day retention and never open or retrying ones", async () => {
    const old = await deadLetter("RESOLVED", "2026-03-01T00:00:00Z", "2026-04-15T00:00:00Z");
    const recent = await deadLetter("RESOLVED", "2026-05-01T00:00:00Z", "2026-05-15T00:00:00Z");
    const open = await deadLetter("OPEN", "2026-01-01T00:00:00Z");
    const retrying = await deadLetter("RETRYING", "2026-01-01T00:00:00Z");
    const cutoff = at("2026-05-02T02:30:00Z"); // 30 days before the tick
    const expected = await db.deadLetterJob.count({ where: { status: "RESOLVED", resolvedAt: { lt: cutoff } } });

    clock.set("2026-06-01T02:30:00Z");
    await stack.engine.cronTick();
    const run = await finishedTickRun(SCHEDULES.purgeResolvedDeadLetters, "2026-06-01T02:30:00Z");

    const left = await db.deadLetterJob.findMany({ where: { id: { in: [old, recent, open, retrying] } }, select: { id: true } });
    expect(left.map((l) => l.id).sort()).toEqual([recent, open, retrying].sort());
    expect((await settledScheduledRun(run.run_id)).summary).toBe(`Purged ${expected} resolved dead letter${expected === 1 ? "" : "s"} older than 30 days.`);
  });
});
