// Crash recovery: a child engine process (tsx engine/main.ts) is SIGKILLed mid-run and restarted on
// the same database. The run completes; a step whose result was recorded never runs again; only the
// step in flight at the kill runs a second time (at-least-once). Accepted events are never lost.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestDatabase, EngineProcesses, fixtureClient, getRun, runsOf, sendEvents, startFixtureApp, waitFor, type FixtureApp } from "./helpers";
import { freePort } from "@signup-jobs/devkit";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let port = 0;
let engineUrl = "";
let app: FixtureApp;
const engines = new EngineProcesses();

const ran = { a: 0, b: 0, c: 0 };
const burstRuns = new Map<number, number>();
const cp = { a: 0, b: 0, c: 0 };
let cpReleaseB: () => void = () => {};
let cpBStarted = false;
let releaseB: () => void = () => {};
let bStarted = false;
let poisonRuns = 0;
let releasePoison: () => void = () => {};
const poisonGate = new Promise<void>((r) => (releasePoison = r));
const poisonFailures: { message: string; name: string }[] = [];

const startChild = (extra: string[] = []) => engines.start(db.url, port, extra);
const kill = (child: ChildProcess) => engines.kill(child);

beforeAll(async () => {
  db = await createTestDatabase();
  port = await freePort();
  engineUrl = `http://127.0.0.1:${port}`;
  const inngest = fixtureClient(engineUrl, "crash");
  const fn = inngest.createFunction({ id: "three-steps", triggers: [{ event: "crash/go" }] }, async ({ step }) => {
    await step.run("a", () => ++ran.a);
    await step.run("b", async () => {
      ran.b++;
      if (!bStarted) {
        bStarted = true;
        await new Promise<void>((r) => (releaseB = r)); // in flight when the engine dies
      }
      return "b";
    });
    await step.run("c", () => ++ran.c);
    return "done";
  });
  const burst = inngest.createFunction({ id: "burst", triggers: [{ event: "crash/burst" }] }, async ({ event, step }) => {
    const i = event.data.i as number;
    await step.run("only", () => burstRuns.set(i, (burstRuns.get(i) ?? 0) + 1).size);
  });
  const checkpointed = inngest.createFunction({ id: "checkpointed", triggers: [{ event: "crash/cp" }] }, async ({ step }) => {
    await step.run("a", () => ++cp.a);
    await step.run("b", async () => {
      cp.b++;
      if (!cpBStarted) {
        cpBStarted = true;
        await new Promise<void>((r) => (cpReleaseB = r));
      }
      return "b";
    });
    await step.run("c", () => ++cp.c);
    return "done";
  });
  // A step that "takes the engine down" every time it runs (the test SIGKILLs the engine).
  const poison = inngest.createFunction(
    {
      id: "poison",
      triggers: [{ event: "crash/poison" }],
      onFailure: ({ error }) => void poisonFailures.push({ name: error.name, message: error.message }),
    },
    async ({ step }) => {
      await step.run("boom", async () => {
        poisonRuns++;
        await poisonGate;
      });
    },
  );
  app = await startFixtureApp(inngest, [fn, burst, checkpointed, poison]);
}, 60_000);

afterAll(async () => {
  await engines.killAll();
  releaseB();
  cpReleaseB();
  releasePoison();
  await app?.close();
  await db?.drop();
});

test("SIGKILL mid-step, restart: the run completes; recorded steps do not run again", async () => {
  const first = await startChild();
  const sync = await fetch(`${engineUrl}/v1/apps/sync`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: app.url }) });
  expect(sync.status).toBe(200);
  const sent = await sendEvents(engineUrl, [{ name: "crash/go" }]);
  const eventId = sent.body.ids[0]!;
  await waitFor(() => bStarted, { what: "step b to be in flight" });
  expect(ran.a).toBe(1);
  await kill(first);
  releaseB(); // the first attempt's answer goes to a dead socket

  await startChild();
  const summary = await waitFor(async () => (await runsOf(engineUrl, eventId)).find((r) => r.status === "Completed"), {
    timeoutMs: 20_000,
    what: "the run to complete after restart",
  });
  const run = await getRun(engineUrl, summary.run_id);
  expect(run.output).toBe("done");
  expect(ran).toMatchObject({ a: 1, b: 2, c: 1 }); // only the in-flight step ran twice
  expect(run.steps.map((s) => s.name)).toEqual(["a", "b", "c"]);
}, 60_000);

test("events acknowledged just before a SIGKILL all run after restart", async () => {
  const sent = await sendEvents(engineUrl, Array.from({ length: 20 }, (_, i) => ({ name: "crash/burst", data: { i } })));
  expect(sent.status).toBe(200);
  await engines.killAll();
  await startChild();
  for (const id of sent.body.ids) {
    await waitFor(async () => (await runsOf(engineUrl, id)).some((r) => r.status === "Completed"), {
      timeoutMs: 20_000,
      what: `run for event ${id}`,
    });
  }
  // Every event ran; a step that was in flight at the kill may have run twice, never more.
  expect(burstRuns.size).toBe(20);
  expect([...burstRuns.values()].filter((n) => n < 1 || n > 2)).toEqual([]);
}, 60_000);

test("checkpoint mode: a step recorded through /v1/checkpoint is not re-run after a SIGKILL", async () => {
  await engines.killAll();
  const first = await startChild(["--checkpoint"]);
  const sent = await sendEvents(engineUrl, [{ name: "crash/cp" }]);
  await waitFor(() => cpBStarted, { what: "step b to be in flight" });
  // "a" was checkpointed (committed) before "b" started, within the same request.
  await waitFor(async () => {
    const summary = (await runsOf(engineUrl, sent.body.ids[0]!))[0];
    return summary && (await getRun(engineUrl, summary.run_id)).steps.some((s) => s.name === "a");
  }, { what: "step a to be checkpointed" });
  await kill(first);
  cpReleaseB();
  await startChild(["--checkpoint"]);
  const summary = await waitFor(async () => (await runsOf(engineUrl, sent.body.ids[0]!)).find((r) => r.status === "Completed"), {
    timeoutMs: 20_000,
    what: "the checkpointed run to complete after restart",
  });
  const run = await getRun(engineUrl, summary.run_id);
  expect(run.output).toBe("done");
  // In checkpoint mode the SDK request that was open at the kill keeps going: it may checkpoint "b"
  // (and "c") to the restarted engine on the same port, which accepts them while that request's
  // lease is still the item's lease. So "b" and "c" run once or twice; "a", recorded before the
  // kill, runs exactly once.
  expect(cp.a).toBe(1);
  expect([1, 2]).toContain(cp.b);
  expect([1, 2]).toContain(cp.c);
  expect(run.steps.map((s) => s.name)).toEqual(["a", "b", "c"]);
}, 60_000);

test("a step in flight while the engine died --max-rescues times fails its run like an exhausted retry", async () => {
  await engines.killAll();
  let child = await startChild(["--max-rescues", "2"]);
  await fetch(`${engineUrl}/v1/apps/sync`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: app.url }) });
  const sent = await sendEvents(engineUrl, [{ name: "crash/poison" }]);
  await waitFor(() => poisonRuns === 1, { what: "the poison step to start" });
  await kill(child); // crash 1: rescued when the lease expires, runs again
  child = await startChild(["--max-rescues", "2"]);
  await waitFor(() => poisonRuns === 2, { timeoutMs: 20_000, what: "the poison step to run again" });
  await kill(child); // crash 2: the cap
  await startChild(["--max-rescues", "2"]);
  const summary = await waitFor(async () => (await runsOf(engineUrl, sent.body.ids[0]!)).find((r) => r.status === "Failed"), {
    timeoutMs: 20_000,
    what: "the poison run to fail",
  });
  const run = await getRun(engineUrl, summary.run_id);
  expect(run.error).toMatchObject({ name: "StepCrashedEngine" });
  expect((run.error as { message: string }).message).toMatch(/died 2 times while running/);
  const failure = await waitFor(() => poisonFailures[0], { timeoutMs: 20_000, what: "onFailure of the poison function" });
  expect(failure.name).toBe("StepCrashedEngine");
  expect(poisonRuns).toBe(2);
}, 90_000);
