// Checkpoint mode (opt-in): with ctx.fn_id + qi_id the SDK runs consecutive steps in one request
// and reports each through POST /v1/checkpoint/:runId/async (protocol §3.8). Same guarantees.
import { NonRetriableError } from "inngest";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Engine } from "../index";
import { dbStats } from "../src/db";
import { createTestDatabase, fixtureClient, sendEvents, startFixtureApp, startTestEngine, waitFor, waitForRun, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;
const ran = new Map<string, number>();
const bump = (k: string) => ran.set(k, (ran.get(k) ?? 0) + 1);
const calls: string[] = []; // fnId of every POST the engine made to the app
let failures = 0;
let flaky = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { checkpoint: true, random: () => 0 });
  const inngest = fixtureClient(engine.url, "cp");
  const three = inngest.createFunction({ id: "three", triggers: [{ event: "cp/three" }] }, async ({ step }) => {
    const a = await step.run("a", () => (bump("a"), 1));
    const b = await step.run("b", () => (bump("b"), a + 1));
    const c = await step.run("c", () => (bump("c"), b + 1));
    return [a, b, c];
  });
  const mixed = inngest.createFunction({ id: "mixed", retries: 3, triggers: [{ event: "cp/mixed" }] }, async ({ step }) => {
    await step.run("first", () => bump("m-first"));
    const v = await step.run("flaky", () => {
      bump("m-flaky");
      if (++flaky <= 2) throw new Error(`flake ${flaky}`);
      return "ok";
    });
    await step.sleep("nap", "1s");
    const [x, y] = await Promise.all([step.run("x", () => (bump("m-x"), "x")), step.run("y", () => (bump("m-y"), "y"))]);
    await step.run("last", () => bump("m-last"));
    return `${v}${x}${y}`;
  });
  const fatal = inngest.createFunction(
    { id: "fatal", triggers: [{ event: "cp/fatal" }], onFailure: () => void failures++ },
    async ({ step }) => {
      await step.run("ok", () => 1);
      await step.run("no", () => {
        throw new NonRetriableError("nope");
      });
    },
  );
  const waits = inngest.createFunction({ id: "waits", triggers: [{ event: "cp/waits" }] }, async ({ step }) => {
    await step.run("before", () => bump("w-before"));
    const got = await step.waitForEvent("go-ahead", { event: "cp/go-ahead", timeout: "1h", match: "data.k" });
    await step.run("after", () => bump("w-after"));
    return got?.data ?? null;
  });
  const many = inngest.createFunction({ id: "many", triggers: [{ event: "cp/many" }] }, async ({ event, step }) => {
    const i = event.data.i as number;
    const a = await step.run("a", () => i * 2);
    const b = await step.run("b", () => a + 1);
    return step.run("c", () => b * 10);
  });
  app = await startFixtureApp(inngest, [three, mixed, fatal, waits, many], (req) => {
    if (req.method === "POST") calls.push(new URL(req.url ?? "", "http://x").searchParams.get("fnId") ?? "");
  });
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await db?.drop();
});

test("three steps in one request: each checkpointed once, run completes", async () => {
  const sent = await sendEvents(engine.url, [{ name: "cp/three" }]);
  const run = await waitForRun(engine.url, sent.body.ids[0]!, "cp-three");
  expect(run.status).toBe("Completed");
  expect(run.output).toEqual([1, 2, 3]);
  expect([ran.get("a"), ran.get("b"), ran.get("c")]).toEqual([1, 1, 1]);
  expect(run.steps.map((s) => s.name)).toEqual(["a", "b", "c"]);
  expect(run.attempts.filter((a) => a.outcome === "ok").map((a) => a.step_name)).toEqual(["a", "b", "c"]);
  // One request for the whole run (without checkpointing it takes four).
  expect(calls.filter((f) => f === "cp-three")).toHaveLength(1);
});

test("retries, sleep and parallel steps still follow the protocol", async () => {
  const sent = await sendEvents(engine.url, [{ name: "cp/mixed" }]);
  const run = await waitForRun(engine.url, sent.body.ids[0]!, "cp-mixed");
  expect(run.status).toBe("Completed");
  expect(run.output).toBe("okxy");
  expect(["m-first", "m-x", "m-y", "m-last"].map((k) => ran.get(k))).toEqual([1, 1, 1, 1]);
  expect(ran.get("m-flaky")).toBe(3);
  const flakyTries = run.attempts.filter((a) => a.step_name === "flaky");
  expect(flakyTries.map((a) => [a.attempt, a.outcome])).toEqual([
    [0, "error"],
    [1, "error"],
    [2, "ok"],
  ]);
  // The attempt counter was reset by the checkpoint of "first": the table starts at 15 s again.
  const delay = Date.parse(flakyTries[0]!.retry_at!) - Date.parse(flakyTries[0]!.ended_at);
  expect(delay).toBe(15);
});

test("NonRetriableError after a checkpointed step fails the run and runs the failure handler", async () => {
  const sent = await sendEvents(engine.url, [{ name: "cp/fatal" }]);
  const run = await waitForRun(engine.url, sent.body.ids[0]!, "cp-fatal");
  expect(run.status).toBe("Failed");
  await waitFor(() => failures === 1, { what: "failure handler" });
});

test("a checkpoint for a stale queue item is refused with 409", async () => {
  const res = await fetch(`${engine.url}/v1/checkpoint/nope/async`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ qi_id: "1.00000000-0000-0000-0000-000000000000", steps: [] }),
  });
  expect(res.status).toBe(409);
  const bad = await fetch(`${engine.url}/v1/checkpoint/nope/async`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ qi_id: "x", steps: [] }) });
  expect(bad.status).toBe(400);
});

test("a checkpointed request that ends in step.waitForEvent: the wait is recorded and resumed", async () => {
  const sent = await sendEvents(engine.url, [{ name: "cp/waits", data: { k: 1 } }]);
  await waitFor(async () => {
    const runs = (await (await fetch(`${engine.url}/v1/events/${sent.body.ids[0]}/runs`)).json()) as { data: { run_id: string }[] };
    const id = runs.data[0]?.run_id;
    if (!id) return false;
    const run = (await (await fetch(`${engine.url}/v1/runs/${id}`)).json()) as { data: { attempts: { outcome: string }[] } };
    return run.data.attempts.some((a) => a.outcome === "waiting");
  }, { what: "the wait to be recorded" });
  await sendEvents(engine.url, [{ name: "cp/go-ahead", data: { k: 1 } }]);
  const run = await waitForRun(engine.url, sent.body.ids[0]!, "cp-waits");
  expect(run.output).toEqual({ k: 1 });
  expect([ran.get("w-before"), ran.get("w-after")]).toEqual([1, 1]);
});

test("each checkpoint is one statement, not a transaction: three steps, three statements, no BEGIN", async () => {
  const count = (re: RegExp) => [...dbStats.byText].filter(([text]) => re.test(text)).reduce((n, [, c]) => n + c, 0);
  const checkpoints = () => count(/with ordinality as w\(qid, step_id/);
  const [begins0, checkpoints0] = [count(/^begin$/), checkpoints()];
  const sent = await sendEvents(engine.url, [{ name: "cp/three" }]);
  const run = await waitForRun(engine.url, sent.body.ids[0]!, "cp-three");
  expect(run.output).toEqual([1, 2, 3]);
  expect(run.attempts.filter((a) => a.outcome === "ok").map((a) => a.step_name)).toEqual(["a", "b", "c"]);
  expect(checkpoints() - checkpoints0).toBe(3);
  expect(count(/^begin$/) - begins0).toBe(0);
});

test("concurrent runs' checkpoints are written together: every run gets its own steps, once, in order", async () => {
  const n = 60;
  const count = () => [...dbStats.byText].filter(([text]) => /with ordinality as w\(qid, step_id/.test(text)).reduce((k, [, c]) => k + c, 0);
  const statements0 = count();
  const sent = await sendEvents(engine.url, Array.from({ length: n }, (_, i) => ({ name: "cp/many", data: { i } })));
  const runs = await Promise.all(sent.body.ids.map((id) => waitForRun(engine.url, id, "cp-many", ["Completed", "Failed"], 30_000)));
  expect(runs.map((r) => r.output)).toEqual(Array.from({ length: n }, (_, i) => (i * 2 + 1) * 10));
  for (const r of runs) {
    const out = r.output as number;
    expect(r.steps.map((s) => [s.name, s.result])).toEqual([["a", { data: out / 10 - 1 }], ["b", { data: out / 10 }], ["c", { data: out }]]);
    expect(r.attempts.filter((a) => a.outcome === "ok").map((a) => a.step_name)).toEqual(["a", "b", "c"]);
  }
  // Each run reports 2 or 3 of its steps by checkpoint (the SDK may return the last one in its
  // response instead); grouped, that takes at most one statement per checkpoint.
  expect(count() - statements0).toBeGreaterThan(0);
  expect(count() - statements0).toBeLessThanOrEqual(3 * n);
});
