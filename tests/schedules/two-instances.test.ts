// Several app instances cannot double-fire a cron: the executor owns the schedule and records each
// tick once (cron_ticks primary key), whichever instance or executor process serves it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@signup-jobs/engine";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/index";
import { db } from "@/lib/db";
import { SCHEDULES } from "@/lib/schedules/definitions";
import { startBackgroundStack, TIME_SCALE, type BackgroundStack } from "@/tests/harness/background";
import { executorFnId, executorRuns, fakeClock, finishedTickRun, optOutEveryone, settledScheduledRun } from "./helpers";

type Instance = { url: string; calls: Map<string, number>; close(): Promise<void> };

/** One more copy of the app's /api/inngest, counting which functions the executor calls on it. */
async function startInstance(): Promise<Instance> {
  const handler = serve({ client: inngest, functions });
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const fnId = new URL(req.url ?? "/", "http://x").searchParams.get("fnId");
    if (req.method === "POST" && fnId) calls.set(fnId, (calls.get(fnId) ?? 0) + 1);
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const clock = fakeClock("2026-05-31T12:00:00Z");
let stack: BackgroundStack;
let secondEngine: Engine;
const instances: Instance[] = [];

beforeAll(async () => {
  await optOutEveryone();
  stack = await startBackgroundStack({ clock: clock.now });
  // A second executor process on the same database, as a second replica would be.
  secondEngine = await startEngine({ databaseUrl: stack.engineDatabaseUrl, port: 0, timeScale: TIME_SCALE, pollMs: 100, log: "silent", cronTimer: false, clock: clock.now });
  instances.push(await startInstance(), await startInstance());
  // Both instances register the same app id, each with its own executor.
  await stack.engine.syncApp(instances[0]!.url);
  await secondEngine.syncApp(instances[1]!.url);
});
afterAll(async () => {
  await secondEngine?.stop();
  for (const instance of instances) await instance.close();
  await stack?.stop();
});

describe("two app instances, two executor processes", () => {
  it("run each cron once per tick", async () => {
    const ticks = ["2026-06-01T02:00:00Z", "2026-06-01T02:30:00Z", "2026-06-01T08:00:00Z", "2026-06-01T09:00:00Z"];
    const jobs = [SCHEDULES.purgeExpired, SCHEDULES.purgeResolvedDeadLetters, SCHEDULES.weeklyDigest, SCHEDULES.staleDeadLetterAlert];
    for (const [i, tick] of ticks.entries()) {
      clock.set(tick);
      // Both executors sweep at the same moment, twice.
      await Promise.all([stack.engine.cronTick(), secondEngine.cronTick(), stack.engine.cronTick(), secondEngine.cronTick()]);
      const run = await finishedTickRun(jobs[i]!, tick);
      expect((await settledScheduledRun(run.run_id)).outcome).toBe("succeeded");
    }
    for (const job of jobs) {
      const runs = await executorRuns(stack.engine, job);
      expect(runs, job.id).toHaveLength(1);
      expect(await db.scheduledRun.count({ where: { runId: runs[0]!.run_id } })).toBe(1);
    }
    // The executor called the instances (today the engine keeps one serve URL per app id, the last
    // synced, so both processes call the second instance); whichever it is, each run started once.
    const purgeCalls = instances.reduce((sum, i) => sum + (i.calls.get(executorFnId(SCHEDULES.purgeExpired)) ?? 0), 0);
    expect(purgeCalls).toBeGreaterThan(0);
  });
});
