// Graceful stop drains: a request in flight when stop() is called gets the grace period to finish
// and is written back, so the restarted engine never runs that step again. A request that outlives
// the grace period is aborted and released to the queue at once (it runs again after restart).
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Engine } from "../index";
import { createTestDatabase, fixtureClient, runsOf, sendEvents, startFixtureApp, startTestEngine, waitFor, waitForRun, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let app: FixtureApp;
const engines: Engine[] = [];
const ran = new Map<string, number>();
const bump = (k: string) => ran.set(k, (ran.get(k) ?? 0) + 1);
const gates = new Map<string, { open: () => void; promise: Promise<void>; entered: number }>();
function gate(key: string) {
  let g = gates.get(key);
  if (!g) {
    let open = () => {};
    const promise = new Promise<void>((r) => (open = r));
    g = { open, promise, entered: 0 };
    gates.set(key, g);
  }
  return g;
}

async function engineWith(extra: Parameters<typeof startTestEngine>[1] = {}) {
  const e = await startTestEngine(db.url, extra);
  engines.push(e);
  return e;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const first = await engineWith();
  const inngest = fixtureClient(first.url, "stop");
  const fn = inngest.createFunction({ id: "two-steps", triggers: [{ event: "stop/go" }] }, async ({ event, step }) => {
    const k = event.data.k as string;
    await step.run("slow", async () => {
      bump(`slow-${k}`);
      gate(k).entered++;
      await gate(k).promise;
      return "slow done";
    });
    await step.run("next", () => bump(`next-${k}`));
    return "done";
  });
  app = await startFixtureApp(inngest, [fn]);
  await first.syncApp(app.url);
  await first.stop();
});

afterAll(async () => {
  for (const g of gates.values()) g.open();
  for (const e of engines) await e.stop();
  await app?.close();
  await db?.drop();
});

async function recordedSteps(runId: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query<{ name: string }>("select name from steps where run_id = $1 order by seq", [runId])).rows.map((r) => r.name);
  } finally {
    await c.end();
  }
}

test("stop mid-step: the step finishes within the grace period, is written back, and never runs again", async () => {
  const a = await engineWith({ stopGraceMs: 20_000 });
  const sent = await sendEvents(a.url, [{ name: "stop/go", data: { k: "drain" } }]);
  await waitFor(() => gate("drain").entered === 1, { what: "the step to be in flight" });
  const runId = (await runsOf(a.url, sent.body.ids[0]!))[0]!.run_id;
  const stopping = a.stop(); // stops claiming at once; the request in flight may finish
  gate("drain").open();
  await stopping;
  expect(await recordedSteps(runId)).toEqual(["slow"]);

  const b = await engineWith();
  const run = await waitForRun(b.url, sent.body.ids[0]!, "stop-two-steps");
  expect(run.output).toBe("done");
  expect(ran.get("slow-drain")).toBe(1); // exactly once across the restart
  expect(ran.get("next-drain")).toBe(1);
});

test("a request that outlives the grace period is released (not left leased) and runs again after restart", async () => {
  const a = await engineWith({ stopGraceMs: 100, leaseMs: 60_000 });
  const sent = await sendEvents(a.url, [{ name: "stop/go", data: { k: "late" } }]);
  await waitFor(() => gate("late").entered === 1, { what: "the step to be in flight" });
  await a.stop();
  gate("late").open();
  // Released, not waiting for the 60 s lease: another engine takes it right away.
  const b = await engineWith({ leaseMs: 60_000 });
  const run = await waitForRun(b.url, sent.body.ids[0]!, "stop-two-steps");
  expect(run.output).toBe("done");
  expect(ran.get("slow-late")).toBe(2); // at-least-once beyond the grace period
});
