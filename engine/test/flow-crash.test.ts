// Flow control survives a crash: a child engine process (tsx engine/main.ts, time scale 0.001) is
// SIGKILLed while a debounce is pending, two batches are half full and throttled runs wait; after a
// restart on the same database nothing is lost and nothing starts twice.
import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freePort } from "@signup-jobs/devkit";
import { createTestDatabase, EngineProcesses, fixtureClient, getJson, sendEvents, startFixtureApp, waitFor, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let port = 0;
let engineUrl = "";
let app: FixtureApp;
const engines = new EngineProcesses();
const bodies = new Map<string, number>(); // function → handler calls

const startChild = () => engines.start(db.url, port);
const kill = (child: ChildProcess) => engines.kill(child);

type RunRow = { run_id: string; status: string; output: unknown; run_started_at: string | null };
const runsOfFn = async (fn: string) =>
  (await getJson<{ data: RunRow[] }>(`${engineUrl}/v1/runs?function_id=crashflow-${fn}&limit=500`)).body.data;

beforeAll(async () => {
  db = await createTestDatabase();
  port = await freePort();
  engineUrl = `http://127.0.0.1:${port}`;
  const inngest = fixtureClient(engineUrl, "crashflow");
  const count = (fn: string) => bodies.set(fn, (bodies.get(fn) ?? 0) + 1);
  app = await startFixtureApp(inngest, [
    // Scaled by 0.001: debounce 3.6 s; batches 86.4 s and 5 s; throttle one start per 1.8 s.
    inngest.createFunction({ id: "debounced", debounce: { period: "1h" }, triggers: [{ event: "cf/debounce" }] }, async ({ event }) => {
      count("debounced");
      return event.data.n;
    }),
    inngest.createFunction(
      { id: "batch-full", batchEvents: { maxSize: 100, timeout: "86400s" }, triggers: [{ event: "cf/batch-full" }] },
      async ({ events }) => {
        count("batch-full");
        return events.map((e: { data: Record<string, unknown> }) => e.data.i);
      },
    ),
    inngest.createFunction(
      { id: "batch-timeout", batchEvents: { maxSize: 100, timeout: "5000s" }, triggers: [{ event: "cf/batch-timeout" }] },
      async ({ events }) => {
        count("batch-timeout");
        return events.map((e: { data: Record<string, unknown> }) => e.data.i);
      },
    ),
    inngest.createFunction({ id: "throttled", throttle: { limit: 1, period: "30m" }, triggers: [{ event: "cf/throttle" }] }, async ({ event }) => {
      count("throttled");
      return event.data.i;
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await engines.killAll();
  await app?.close();
  await db?.drop();
});

test("SIGKILL mid-debounce, mid-batch and with throttled runs waiting: after restart all of it runs, once", async () => {
  const first = await startChild();
  const sync = await fetch(`${engineUrl}/v1/apps/sync`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: app.url }) });
  expect(sync.status).toBe(200);
  // The first throttled run starts at once; the other two wait for the gate (one per 1.8 s).
  await sendEvents(engineUrl, Array.from({ length: 3 }, (_, i) => ({ name: "cf/throttle", data: { i } })));
  await waitFor(async () => (await runsOfFn("throttled")).some((r) => r.status === "Completed"), { what: "the first throttled run" });
  for (let n = 0; n < 10; n++) await sendEvents(engineUrl, [{ name: "cf/debounce", data: { n } }]);
  await sendEvents(engineUrl, Array.from({ length: 60 }, (_, i) => ({ name: "cf/batch-full", data: { i } })));
  await sendEvents(engineUrl, Array.from({ length: 30 }, (_, i) => ({ name: "cf/batch-timeout", data: { i } })));
  await kill(first);

  // While no engine runs, the state is all in PostgreSQL.
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  try {
    const debounces = await sql.query("select 1 from flow_debounces where function_id = 'crashflow-debounced' and open");
    expect(debounces.rowCount).toBe(1);
    const batches = await sql.query<{ function_id: string; size: number }>("select function_id, size from flow_batches where open order by function_id");
    expect(batches.rows).toEqual([
      { function_id: "crashflow-batch-full", size: 60 },
      { function_id: "crashflow-batch-timeout", size: 30 },
    ]);
    expect(bodies.get("debounced") ?? 0).toBe(0);
  } finally {
    await sql.end();
  }

  await startChild();
  // The half-full batch is still open after the restart: 40 more fill it to exactly 100.
  await sendEvents(engineUrl, Array.from({ length: 40 }, (_, i) => ({ name: "cf/batch-full", data: { i: 60 + i } })));
  const done = async (fn: string, n: number) =>
    waitFor(async () => {
      const r = await runsOfFn(fn);
      return r.length === n && r.every((x) => x.status === "Completed") ? r : null;
    }, { timeoutMs: 20_000, what: `${n} completed runs of ${fn}` });

  const full = await done("batch-full", 1);
  expect(full[0]?.output).toEqual(Array.from({ length: 100 }, (_, i) => i));
  const timedOut = await done("batch-timeout", 1);
  expect(timedOut[0]?.output).toEqual(Array.from({ length: 30 }, (_, i) => i));
  const debounced = await done("debounced", 1);
  expect(debounced[0]?.output).toBe(9);
  const throttled = await done("throttled", 3);
  // After the restart the backlog resumes at the limit, not all at once (a gate admits one run and
  // starts it; the next is admitted 1.8 s later; 0.3 s of slack for a loaded machine).
  const starts = throttled.map((r) => Date.parse(r.run_started_at!)).sort((a, b) => a - b);
  expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(1500);
  expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(1500);
  expect(Object.fromEntries(bodies)).toEqual({ debounced: 1, "batch-full": 1, "batch-timeout": 1, throttled: 3 });
}, 60_000);
