// Each cron fires at its time in its zone, driven by the executor's injected clock (no waiting):
// not a second early, once per tick, and its run records what it did for the Schedules page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SCHEDULES } from "@/lib/schedules/definitions";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { executorRuns, fakeClock, finishedTickRun, optOutEveryone, settledScheduledRun } from "./helpers";

// A past week, so rows other test files made at the real time never count as expired or stale.
const clock = fakeClock("2026-05-31T12:00:00Z"); // a Sunday
let stack: BackgroundStack;

beforeAll(async () => {
  await optOutEveryone();
  stack = await startBackgroundStack({ clock: clock.now });
});
afterAll(async () => {
  await stack?.stop();
});

const { purgeExpired, purgeResolvedDeadLetters, weeklyDigest, staleDeadLetterAlert, outboxSweep } = SCHEDULES;
const daily = [purgeExpired, purgeResolvedDeadLetters, weeklyDigest, staleDeadLetterAlert];

async function tickAt(iso: string) {
  clock.set(iso);
  return stack.engine.cronTick();
}
const runCounts = async () => Object.fromEntries(await Promise.all(daily.map(async (s) => [s.id, (await executorRuns(stack.engine, s)).length] as const)));

describe("cron timing (TZ=UTC)", () => {
  it("fires nothing that was due before the schedules were synced", async () => {
    await tickAt("2026-06-01T01:59:59Z");
    expect(await runCounts()).toEqual({ [purgeExpired.id]: 0, [purgeResolvedDeadLetters.id]: 0, [weeklyDigest.id]: 0, [staleDeadLetterAlert.id]: 0 });
  });

  it("purges at 02:00 UTC, not a second earlier, once per tick", async () => {
    await tickAt("2026-06-01T02:00:00Z");
    await tickAt("2026-06-01T02:00:30Z"); // a second sweep in the same minute fires nothing new
    const run = await finishedTickRun(purgeExpired, "2026-06-01T02:00:00Z");
    expect(run.status).toBe("Completed");
    expect(await runCounts()).toMatchObject({ [purgeExpired.id]: 1, [purgeResolvedDeadLetters.id]: 0, [weeklyDigest.id]: 0 });
    const row = await settledScheduledRun(run.run_id);
    expect(row).toMatchObject({ functionId: purgeExpired.id, trigger: "cron", outcome: "succeeded" });
    expect(row.summary).toMatch(/^Purged \d+ expired sessions?, \d+ rate-limit windows?, \d+ old sign-up records? and \d+ old run records?\.$/);
  });

  it("purges resolved dead letters at 02:30 UTC", async () => {
    await tickAt("2026-06-01T02:29:59Z");
    expect((await runCounts())[purgeResolvedDeadLetters.id]).toBe(0);
    await tickAt("2026-06-01T02:30:00Z");
    const run = await finishedTickRun(purgeResolvedDeadLetters, "2026-06-01T02:30:00Z");
    expect((await settledScheduledRun(run.run_id)).summary).toMatch(/^Purged \d+ resolved dead letters? older than 30 days\.$/);
  });

  it("sends the digest on Monday at 08:00 UTC", async () => {
    await tickAt("2026-06-01T07:59:59Z");
    expect((await runCounts())[weeklyDigest.id]).toBe(0);
    await tickAt("2026-06-01T08:00:00Z");
    const run = await finishedTickRun(weeklyDigest, "2026-06-01T08:00:00Z");
    expect((await settledScheduledRun(run.run_id)).summary).toMatch(/2026-W23/);
  });

  it("checks for stale dead letters at 09:00 UTC", async () => {
    await tickAt("2026-06-01T08:59:59Z");
    expect((await runCounts())[staleDeadLetterAlert.id]).toBe(0);
    await tickAt("2026-06-01T09:00:00Z");
    await finishedTickRun(staleDeadLetterAlert, "2026-06-01T09:00:00Z");
  });

  it("runs the daily jobs again the next day, and the weekly one not until next Monday", async () => {
    await tickAt("2026-06-02T08:00:00Z"); // Tuesday: 02:00 and 02:30 were due, the digest is not
    await finishedTickRun(purgeExpired, "2026-06-02T02:00:00Z");
    await finishedTickRun(purgeResolvedDeadLetters, "2026-06-02T02:30:00Z");
    await tickAt("2026-06-02T09:00:00Z");
    await finishedTickRun(staleDeadLetterAlert, "2026-06-02T09:00:00Z");
    expect(await runCounts()).toEqual({ [purgeExpired.id]: 2, [purgeResolvedDeadLetters.id]: 2, [weeklyDigest.id]: 1, [staleDeadLetterAlert.id]: 2 });
    await tickAt("2026-06-08T08:00:00Z"); // next Monday
    await finishedTickRun(weeklyDigest, "2026-06-08T08:00:00Z");
    expect((await runCounts())[weeklyDigest.id]).toBe(2);
  });

  it("sweeps the outbox every minute, one run per minute however often the executor looks", async () => {
    const before = (await executorRuns(stack.engine, outboxSweep)).length;
    await tickAt("2026-06-08T08:01:00Z");
    await tickAt("2026-06-08T08:01:59Z");
    await tickAt("2026-06-08T08:02:00Z");
    await finishedTickRun(outboxSweep, "2026-06-08T08:02:00Z");
    expect((await executorRuns(stack.engine, outboxSweep)).length).toBe(before + 2);
  });

  it("records every run where the Schedules page reads it", async () => {
    const rows = await db.scheduledRun.findMany({ where: { functionId: { in: daily.map((s) => s.id) }, trigger: "cron" } });
    const ids = new Set((await Promise.all(daily.map((s) => executorRuns(stack.engine, s)))).flat().map((r) => r.run_id));
    expect(rows.filter((r) => ids.has(r.runId))).toHaveLength(ids.size);
  });
});
