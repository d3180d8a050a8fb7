// Flow control (throttle, rateLimit, debounce, batchEvents) meeting the run-side features: delayed
// starts (a future `ts`), cancellation (cancelOn, timeouts.start, DELETE), step.invoke, and the
// lease-rescue cap (engine/README.md "Flow control" → "With the run-side features"). Injected
// clock at time scale 1: only the test moves time, then pokes the engine; nothing sleeps.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import {
  createTestDatabase,
  fixtureClient,
  getRun,
  runsOf,
  sendEvents,
  startFixtureApp,
  startTestEngine,
  waitFor,
  waitForRun,
  type FixtureApp,
} from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;
let sql: pg.Client;
const T0 = Date.parse("2027-05-03T08:00:00Z");
let now = T0;
const clock = () => now;
async function advanceTo(t: number) {
  now = t;
  await engine.poke();
}

const ran = new Map<string, number>();
const bump = (k: string) => ran.set(k, (ran.get(k) ?? 0) + 1);
const count = (k: string) => ran.get(k) ?? 0;

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { clock, timeScale: 1, cronTimer: false, leaseMs: 1e9 });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const inngest = fixtureClient(engine.url, "merge");
  const throttled = inngest.createFunction(
    { id: "thr", throttle: { limit: 1, period: "1m" }, triggers: [{ event: "m/thr" }] },
    async ({ event }) => {
      bump(`thr-${event.data.k}`);
      return event.data.k;
    },
  );
  const guarded = inngest.createFunction(
    {
      id: "guarded",
      throttle: { limit: 1, period: "1h" },
      cancelOn: [{ event: "m/stop", match: "data.k" }],
      timeouts: { start: "10m" },
      triggers: [{ event: "m/guarded" }],
    },
    async ({ event }) => {
      bump(`guarded-${event.data.k}`);
      return event.data.k;
    },
  );
  const debounced = inngest.createFunction(
    { id: "deb", debounce: { period: "10s" }, cancelOn: [{ event: "m/deb-stop" }], triggers: [{ event: "m/deb" }] },
    async ({ event, step }) => {
      await step.run("first", () => bump(`deb-${event.data.k}`));
      if (event.data.nap) await step.sleep("nap", "1h");
      await step.run("second", () => bump(`deb-${event.data.k}-after`));
      return event.data.k;
    },
  );
  const limitedChild = inngest.createFunction(
    { id: "limited-child", rateLimit: { limit: 1, period: "1h" }, triggers: [{ event: "m/limited-child" }] },
    async ({ event }) => ({ got: event.data.n }),
  );
  const batchedChild = inngest.createFunction(
    { id: "batched-child", batchEvents: { maxSize: 2, timeout: "60s" }, triggers: [{ event: "m/batched-child" }] },
    async ({ events }) => ({ size: events.length, ns: events.map((e) => e.data.n).sort() }),
  );
  const parent = inngest.createFunction({ id: "parent", triggers: [{ event: "m/parent" }] }, async ({ event, step }) => {
    try {
      const r = await step.invoke("call", {
        function: event.data.child === "batched" ? batchedChild : limitedChild,
        data: { n: event.data.n },
        timeout: "1d",
      });
      return { ok: r };
    } catch (err) {
      return { err: (err as Error).name, message: (err as Error).message };
    }
  });
  app = await startFixtureApp(inngest, [throttled, guarded, debounced, limitedChild, batchedChild, parent]);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await sql?.end();
  await db?.drop();
});

async function runOf(eventId: string, fnId: string) {
  return waitFor(async () => (await runsOf(engine.url, eventId)).find((r) => r.function_id === fnId), { what: `run of ${fnId}` });
}
/** The delayed throttled run's start timer (a `flow` item), due at its `ts`. */
async function startTimer(runId: string): Promise<number> {
  const r = await sql.query<{ run_at: Date }>("select run_at from queue where kind = 'flow' and step_id = $1", [`start:${runId}`]);
  return r.rows[0]!.run_at.getTime();
}

describe("throttle × a future ts", () => {
  test("a delayed run reserves nothing at receipt: an event sent after it starts at once; it starts at its ts", async () => {
    now = T0;
    // Senders stamp ts with the wall clock: the delay is ~2 min after receipt on the engine clock.
    const later = await sendEvents(engine.url, [{ name: "m/thr", data: { k: "later" }, ts: Date.now() + 120_000 }]);
    const laterRun = await runOf(later.body.ids[0]!, "merge-thr");
    const startAt = await startTimer(laterRun.run_id);
    expect(startAt).toBeGreaterThan(T0 + 110_000);
    expect(startAt).toBeLessThanOrEqual(T0 + 120_000);
    // The limit (1 per minute) is still free for an event sent now.
    const nowSent = await sendEvents(engine.url, [{ name: "m/thr", data: { k: "now" } }]);
    expect((await waitForRun(engine.url, nowSent.body.ids[0]!, "merge-thr")).output).toBe("now");
    await advanceTo(startAt - 1);
    expect((await getRun(engine.url, laterRun.run_id)).status).toBe("Queued");
    await advanceTo(startAt);
    const run = await waitForRun(engine.url, later.body.ids[0]!, "merge-thr");
    expect(run.output).toBe("later");
    expect(count("thr-later")).toBe(1);
  });

  test("at its ts it waits for the throttle like any start, FIFO behind runs already waiting", async () => {
    // The previous run started at ~T0 + 2 min, so the next slot is a minute after that.
    const base = now;
    const sent = await sendEvents(engine.url, [{ name: "m/thr", data: { k: "queued" }, ts: Date.now() + 10_000 }]);
    const summary = await runOf(sent.body.ids[0]!, "merge-thr");
    const startAt = await startTimer(summary.run_id);
    await advanceTo(startAt);
    // Its start timer fired: now it waits in the throttle list, not in the queue.
    await waitFor(async () => (await sql.query("select 1 from flow_throttle_waiting where run_id = $1", [summary.run_id])).rowCount === 1, {
      what: "the run to wait for the throttle",
    });
    expect(count("thr-queued")).toBe(0);
    await advanceTo(base + 59_999);
    expect((await getRun(engine.url, summary.run_id)).status).toBe("Queued");
    await advanceTo(base + 60_000);
    expect((await waitForRun(engine.url, sent.body.ids[0]!, "merge-thr")).output).toBe("queued");
  });
});

describe("cancelling runs that wait for the throttle or their ts", () => {
  test("cancelOn and timeouts.start cancel runs in the throttle list; the gate skips them", async () => {
    now = T0 + 3600_000;
    const sent = await sendEvents(engine.url, [
      { name: "m/guarded", data: { k: "a" } },
      { name: "m/guarded", data: { k: "b" } },
      { name: "m/guarded", data: { k: "c" } },
    ]);
    await waitForRun(engine.url, sent.body.ids[0]!, "merge-guarded");
    const b = await runOf(sent.body.ids[1]!, "merge-guarded");
    expect(b.status).toBe("Queued");
    // cancelOn (match data.k) reaches a run that is still waiting for the throttle.
    await sendEvents(engine.url, [{ name: "m/stop", data: { k: "b" } }]);
    expect((await waitForRun(engine.url, sent.body.ids[1]!, "merge-guarded", ["Cancelled"])).status).toBe("Cancelled");
    // timeouts.start (10m) cancels "c", still waiting (the throttle admits one per hour).
    await advanceTo(now + 10 * 60_000 + 1);
    const c = await waitForRun(engine.url, sent.body.ids[2]!, "merge-guarded", ["Cancelled"]);
    expect(c.error).toMatchObject({ reason: "timeouts.start (10m) exceeded" });
    // The gate fires, finds only cancelled runs, and retires itself.
    await advanceTo(now + 3600_000);
    await waitFor(async () => (await sql.query("select 1 from flow_throttle_waiting where function_id = 'merge-guarded'")).rowCount === 0, {
      what: "the throttle list to empty",
    });
    expect([count("guarded-a"), count("guarded-b"), count("guarded-c")]).toEqual([1, 0, 0]);
  });

  test("DELETE of a throttled run still waiting for its ts: its start timer fires and does nothing", async () => {
    const sent = await sendEvents(engine.url, [{ name: "m/thr", data: { k: "deleted" }, ts: Date.now() + 60_000 }]);
    const summary = await runOf(sent.body.ids[0]!, "merge-thr");
    const startAt = await startTimer(summary.run_id);
    const res = await fetch(`${engine.url}/v1/runs/${summary.run_id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    await advanceTo(startAt + 3600_000);
    await waitFor(async () => (await sql.query("select 1 from queue where step_id = $1", [`start:${summary.run_id}`])).rowCount === 0, {
      what: "the start timer to fire",
    });
    expect((await getRun(engine.url, summary.run_id)).status).toBe("Cancelled");
    expect(count("thr-deleted")).toBe(0);
    expect((await sql.query("select 1 from flow_throttle_waiting where run_id = $1", [summary.run_id])).rowCount).toBe(0);
  });
});

describe("debounce × cancelOn and a future ts", () => {
  test("the debounced run gets its cancelOn when it is created (the debounce fires)", async () => {
    now = T0 + 5 * 3600_000;
    const sent = await sendEvents(engine.url, [{ name: "m/deb", data: { k: "c1", nap: true } }]);
    await advanceTo(now + 10_000);
    const summary = await runOf(sent.body.ids[0]!, "merge-deb");
    await waitFor(async () => (await getRun(engine.url, summary.run_id)).attempts.some((a) => a.outcome === "sleep"), { what: "the nap" });
    await sendEvents(engine.url, [{ name: "m/deb-stop" }]);
    expect((await waitForRun(engine.url, sent.body.ids[0]!, "merge-deb", ["Cancelled"])).status).toBe("Cancelled");
    await advanceTo(now + 2 * 3600_000);
    expect([count("deb-c1"), count("deb-c1-after")]).toEqual([1, 0]);
  });

  test("a debounced event with a future ts: the run the debounce fires starts no earlier than ts", async () => {
    const base = now;
    const sent = await sendEvents(engine.url, [{ name: "m/deb", data: { k: "ts1" }, ts: Date.now() + 60_000 }]);
    await advanceTo(base + 10_000);
    const summary = await runOf(sent.body.ids[0]!, "merge-deb");
    const q = await sql.query<{ run_at: Date }>("select run_at from queue where run_id = $1 and kind = 'call'", [summary.run_id]);
    const startAt = q.rows[0]!.run_at.getTime();
    expect(startAt).toBeGreaterThan(base + 50_000);
    expect(startAt).toBeLessThanOrEqual(base + 60_000);
    expect(count("deb-ts1")).toBe(0);
    await advanceTo(startAt);
    expect((await waitForRun(engine.url, sent.body.ids[0]!, "merge-deb")).output).toBe("ts1");
  });
});

describe("step.invoke × flow control", () => {
  test("a rate-limited child fails the parent's step at once (no waiting for the invoke timeout)", async () => {
    now = T0 + 10 * 3600_000;
    const sent = await sendEvents(engine.url, [
      { name: "m/parent", data: { n: 1 } },
      { name: "m/parent", data: { n: 2 } },
    ]);
    // The clock does not move: the parent that lost the rate limit still completes.
    const runs = await Promise.all(sent.body.ids.map((id) => waitForRun(engine.url, id, "merge-parent")));
    const outputs = runs.map((r) => r.output as { ok?: unknown; err?: string; message?: string });
    const ok = outputs.filter((o) => o.ok);
    const refused = outputs.filter((o) => o.err);
    expect(ok).toHaveLength(1);
    expect(refused).toEqual([{ err: "Error", message: "invoked function is rate limited" }]);
    const step = runs.find((r) => (r.output as { err?: string }).err)!.steps.find((s) => s.op === "InvokeFunction");
    expect(step?.result).toEqual({ error: { name: "Error", message: "invoked function is rate limited" } });
    const skipped = await sql.query("select 1 from runs where function_id = 'merge-limited-child' and status = 'skipped'");
    expect(skipped.rowCount).toBe(1);
  });

  test("a batched child answers every parent whose invocation is in its batch", async () => {
    const sent = await sendEvents(engine.url, [
      { name: "m/parent", data: { n: 3, child: "batched" } },
      { name: "m/parent", data: { n: 4, child: "batched" } },
    ]);
    const runs = await Promise.all(sent.body.ids.map((id) => waitForRun(engine.url, id, "merge-parent")));
    for (const r of runs) expect(r.output).toEqual({ ok: { size: 2, ns: [3, 4] } });
    const child = await sql.query("select 1 from runs where function_id = 'merge-batched-child'");
    expect(child.rowCount).toBe(1);
  });
});

describe("lease rescue", () => {
  test("a flow timer whose process died more often than --max-rescues is still requeued, never stuck", async () => {
    const ins = await sql.query<{ id: number }>(
      `insert into queue (run_id, kind, step_id, state, run_at, lease_token, lease_until, rescues)
       values (null, 'flow', 'batch:gone', 'running', $1, gen_random_uuid(), $1, 10) returning id`,
      [new Date(now - 1000).toISOString()],
    );
    await engine.poke();
    // Requeued, claimed and fired: its batch no longer exists, so the item is simply deleted.
    await waitFor(async () => (await sql.query("select 1 from queue where id = $1", [ins.rows[0]!.id])).rowCount === 0, {
      what: "the flow item to be rescued and fired",
    });
  });
});
