// Flow control with real inngest@4.24.0 functions: throttle, rateLimit, debounce, batchEvents
// (engine/README.md "Flow control"; notes §4–§7, §12). The engine runs on an injected clock at time
// scale 1: every start time is asserted in engine-clock milliseconds, and time only moves when a
// test advances it (then pokes the engine). Nothing here sleeps; every wait awaits a run state.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import {
  createTestDatabase,
  fixtureClient,
  getJson,
  runsOf,
  sendEvents,
  startFixtureApp,
  startTestEngine,
  waitFor,
  type FixtureApp,
} from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: pg.Client;
let engine: Engine;
let second: Engine;
let app: FixtureApp;
let inngest: ReturnType<typeof fixtureClient>;

const T0 = Date.parse("2027-03-01T09:00:00Z");
let now = T0;
const clock = () => now;
async function advance(ms: number, e: Engine = engine) {
  now += ms;
  await e.poke();
}

type Seen = { i?: number; n?: number; user?: string; team?: string; events: number[]; eventId: string };
const seen = new Map<string, Seen[]>();
const record = (fn: string, s: Seen) => seen.set(fn, [...(seen.get(fn) ?? []), s]);

type RunRow = { run_id: string; status: string; output: unknown; run_started_at: string | null; skip_reason?: string };
async function runsOfFn(fn: string, status?: string): Promise<RunRow[]> {
  const q = new URLSearchParams({ function_id: `flow-${fn}`, limit: "500", ...(status ? { status } : {}) });
  return (await getJson<{ data: RunRow[] }>(`${engine.url}/v1/runs?${q}`)).body.data;
}
async function completed(fn: string, n: number, what = `${n} completed runs of ${fn}`): Promise<RunRow[]> {
  return waitFor(async () => {
    const r = await runsOfFn(fn, "completed");
    return r.length >= n ? r : null;
  }, { what });
}
/** Queue items of a function (or its flow timers: debounce, batch, throttle gate) due at `now`. */
async function dueItems(fn: string): Promise<number> {
  const r = await sql.query<{ n: number }>(
    `select count(*)::int as n from queue q left join runs r on r.id = q.run_id
      where q.state = 'queued' and q.run_at <= $2
        and (r.function_id = $1 or q.step_id in (select 'debounce:' || id from flow_debounces where function_id = $1)
             or q.step_id in (select 'batch:' || id from flow_batches where function_id = $1)
             or q.id in (select gate_id from flow_gcra where function_id = $1))`,
    [`flow-${fn}`, new Date(now).toISOString()],
  );
  return r.rows[0]?.n ?? 0;
}
async function started(fn: string): Promise<number> {
  const r = await sql.query<{ n: number }>("select count(*)::int as n from runs where function_id = $1 and started_at is not null", [`flow-${fn}`]);
  return r.rows[0]?.n ?? 0;
}

beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  engine = await startTestEngine(db.url, { clock, timeScale: 1, leaseMs: 1e9, workers: 16 });
  await sql.connect();
  inngest = fixtureClient(engine.url, "flow");
  const fns = [
    inngest.createFunction(
      { id: "throttled", throttle: { limit: 10, period: "1m" }, triggers: [{ event: "flow/throttle" }] },
      async ({ event, step }) => {
        await step.run("work", () => record("throttled", { i: event.data.i, events: [], eventId: event.id! }));
        return event.data.i;
      },
    ),
    inngest.createFunction(
      { id: "throttle-keyed", throttle: { limit: 1, period: "1m", burst: 1, key: "event.data.provider" }, triggers: [{ event: "flow/throttle-keyed" }] },
      async ({ event }) => event.data.i,
    ),
    inngest.createFunction({ id: "backlog", throttle: { limit: 1, period: "1h" }, triggers: [{ event: "flow/backlog" }] }, async ({ event }) => event.data.i),
    inngest.createFunction({ id: "plain", triggers: [{ event: "flow/plain" }] }, async ({ step }) => step.run("s", () => "ok")),
    inngest.createFunction({ id: "rate", rateLimit: { limit: 1, period: "1m" }, triggers: [{ event: "flow/rate" }] }, async ({ event }) => event.data.i),
    inngest.createFunction({ id: "rate-burst", rateLimit: { limit: 20, period: "1m" }, triggers: [{ event: "flow/rate-burst" }] }, async () => 1),
    inngest.createFunction(
      { id: "rate-keyed", rateLimit: { limit: 1, period: "1h", key: "event.data.user" }, triggers: [{ event: "flow/rate-keyed" }] },
      async ({ event }) => event.data.i,
    ),
    inngest.createFunction(
      { id: "debounced", debounce: { period: "10s", key: "event.data.user" }, triggers: [{ event: "flow/debounce" }] },
      async ({ event, events }) => {
        record("debounced", { n: event.data.n, user: event.data.user, events: events.map((e) => e.data.n as number), eventId: event.id! });
        return event.data.n ?? null;
      },
    ),
    inngest.createFunction(
      { id: "debounce-capped", debounce: { period: "10s", timeout: "30s" }, triggers: [{ event: "flow/debounce-capped" }] },
      async ({ event }) => event.data.n,
    ),
    inngest.createFunction(
      { id: "batched", batchEvents: { maxSize: 100, timeout: "60s" }, triggers: [{ event: "flow/batch" }] },
      async ({ event, events, step }) => {
        const is = events.map((e) => e.data.i as number);
        await step.run("write", () => is.length);
        return { first: event.data.i, n: events.length, is };
      },
    ),
    inngest.createFunction(
      { id: "batch-keyed", batchEvents: { maxSize: 5, timeout: "60s", key: "event.data.team", if: "event.data.bulk == true" }, triggers: [{ event: "flow/batch-keyed" }] },
      async ({ events }) => ({ n: events.length, teams: [...new Set(events.map((e) => e.data.team ?? "(none)"))], is: events.map((e) => e.data.i) }),
    ),
  ];
  app = await startFixtureApp(inngest, fns);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await second?.stop();
  await app?.close();
  await sql?.end();
  await db?.drop();
});

describe("throttle", () => {
  test("a burst of 100 events (limit 10 per 1m): none dropped, FIFO, 10 at once then one every 6 s", async () => {
    now = T0;
    await inngest.send(Array.from({ length: 100 }, (_, i) => ({ name: "flow/throttle", data: { i } })));
    // GCRA with burst 0: `limit` at once, then one every period / limit = 6 s, in event order.
    await completed("throttled", 10);
    expect(await started("throttled")).toBe(10);
    expect(await dueItems("throttled")).toBe(0);
    // The 11th is due exactly 6 s later, the 12th 6 s after that, not a millisecond earlier.
    await advance(6000);
    await completed("throttled", 11);
    await advance(5999);
    expect(await dueItems("throttled")).toBe(0);
    await advance(1);
    await completed("throttled", 12);
    // Walk the clock through the backlog a minute at a time: at T0 + t exactly 10 + ⌊t / 6 s⌋ started.
    while (now - T0 < 600_000) {
      await advance(60_000);
      const want = Math.min(100, 10 + Math.floor((now - T0) / 6000));
      await completed("throttled", want);
      expect(await started("throttled")).toBe(want);
      expect(await dueItems("throttled")).toBe(0);
    }
    const runs = await runsOfFn("throttled");
    expect(runs).toHaveLength(100);
    expect(runs.every((r) => r.status === "Completed")).toBe(true);
    // Run i (in event order) started no earlier than its slot T0 + max(0, i − 9) × 6 s, and at most
    // one clock step later.
    const byI = new Map(runs.map((r) => [r.output as number, Date.parse(r.run_started_at!)]));
    expect([...byI.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (let i = 0; i < 100; i++) {
      const slot = T0 + Math.max(0, i - 9) * 6000;
      expect(byI.get(i)! - slot).toBeGreaterThanOrEqual(0);
      expect(byI.get(i)! - slot).toBeLessThan(60_000);
    }
    // The rate held: no 60 s window holds more than the 10 of the burst plus 10 refills.
    const starts = [...byI.values()].sort((a, b) => a - b);
    for (let i = 20; i < starts.length; i++) expect(starts[i]! - starts[i - 20]!).toBeGreaterThanOrEqual(60_000);
    expect(new Set(seen.get("throttled")!.map((s) => s.i)).size).toBe(100); // each step body ran once
  });

  test("a key gets its own bucket; burst adds to the limit; a missing key field shares the bucket \"false\"", async () => {
    const sent = await sendEvents(engine.url, [
      ...[0, 1, 2].map((i) => ({ name: "flow/throttle-keyed", data: { i, provider: "resend" } })),
      ...[3, 4, 5].map((i) => ({ name: "flow/throttle-keyed", data: { i, provider: "ses" } })),
      ...[6, 7, 8].map((i) => ({ name: "flow/throttle-keyed", data: { i } })),
    ]);
    // limit 1 + burst 1: two per key at once (0, 1 / 3, 4 / 6, 7), the third one period later.
    await completed("throttle-keyed", 6);
    expect(await started("throttle-keyed")).toBe(6);
    const first = await runsOfFn("throttle-keyed", "completed");
    expect(first.map((r) => r.output).sort()).toEqual([0, 1, 3, 4, 6, 7]);
    await advance(60_000);
    await completed("throttle-keyed", 9);
    expect((await runsOf(engine.url, sent.body.ids[8]!))[0]?.status).toBe("Completed");
  });

  test("1,000 throttled runs waiting do not delay an unthrottled function's run", async () => {
    const t = Date.now();
    const sent = await inngest.send(Array.from({ length: 1000 }, (_, i) => ({ name: "flow/backlog", data: { i } })));
    expect(sent.ids).toHaveLength(1000);
    const ingestMs = Date.now() - t;
    await completed("backlog", 1);
    const before = Date.now();
    const plain = await inngest.send({ name: "flow/plain" });
    await waitFor(async () => (await runsOf(engine.url, plain.ids[0]!))[0]?.status === "Completed", { what: "the unthrottled run" });
    const promptMs = Date.now() - before;
    // The backlog is queued (not dropped) and waits: one run per hour of engine time.
    expect(await started("backlog")).toBe(1);
    const queued = await runsOfFn("backlog", "queued");
    expect(queued).toHaveLength(500); // the read API's page size; the total is below
    const total = await sql.query<{ n: number }>("select count(*)::int as n from runs where function_id = 'flow-backlog' and status = 'queued'");
    expect(total.rows[0]?.n).toBe(999);
    // They wait outside the queue: the queue holds only the key's gate.
    const waiting = await sql.query<{ n: number }>("select count(*)::int as n from flow_throttle_waiting where function_id = 'flow-backlog'");
    expect(waiting.rows[0]?.n).toBe(999);
    const inQueue = await sql.query<{ n: number }>(
      "select count(*)::int as n from queue q join runs r on r.id = q.run_id where r.function_id = 'flow-backlog'",
    );
    expect(inQueue.rows[0]?.n).toBe(0);
    expect(promptMs).toBeLessThan(2000);
    console.info(`[flow-control] 1000 throttled events ingested in ${ingestMs} ms; unthrottled run completed in ${promptMs} ms`);
  });

  test("after 5 idle hours the backlog resumes at the limit, not all at once; a cancelled waiting run uses no slot", async () => {
    await advance(5 * 3600_000);
    await completed("backlog", 2);
    expect(await started("backlog")).toBe(2); // limit + burst = 1 after idle, not 5
    // Cancel the next in line (i = 2): the gate skips it and starts i = 3 an hour later.
    const next = await sql.query<{ run_id: string }>(
      "select run_id from flow_throttle_waiting where function_id = 'flow-backlog' order by seq limit 1",
    );
    const res = await fetch(`${engine.url}/v1/runs/${next.rows[0]!.run_id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    await advance(3600_000);
    const done = await completed("backlog", 3);
    expect(done.map((r) => r.output).sort()).toEqual([0, 1, 3]);
    expect(await started("backlog")).toBe(3);
  });
});

describe("rateLimit", () => {
  test("drops the excess: 1 run per minute, the rest recorded as Skipped", async () => {
    const sent = await sendEvents(engine.url, Array.from({ length: 5 }, (_, i) => ({ name: "flow/rate", data: { i } })));
    await completed("rate", 1);
    const skipped = await runsOfFn("rate", "skipped");
    expect(skipped).toHaveLength(4);
    expect(skipped.every((r) => r.skip_reason === "rate_limited" && r.run_started_at === null)).toBe(true);
    // Visible on the event, too.
    expect(await runsOf(engine.url, sent.body.ids[4]!)).toEqual([expect.objectContaining({ status: "Skipped", function_id: "flow-rate" })]);
    expect((await runsOfFn("rate", "completed"))[0]?.output).toBe(0);
    // GCRA: the next run is allowed one emission (60 s) after the first, not before.
    await advance(59_000);
    await sendEvents(engine.url, [{ name: "flow/rate", data: { i: 5 } }]);
    await waitFor(async () => (await runsOfFn("rate", "skipped")).length === 5, { what: "a fifth skipped run" });
    await advance(1000);
    await sendEvents(engine.url, [{ name: "flow/rate", data: { i: 6 } }]);
    const done = await completed("rate", 2);
    expect(done.map((r) => r.output).sort()).toEqual([0, 6]);
  });

  test("limit 20 per minute allows a burst of limit/10 + 1 = 3", async () => {
    await sendEvents(engine.url, Array.from({ length: 5 }, () => ({ name: "flow/rate-burst" })));
    await completed("rate-burst", 3);
    expect(await runsOfFn("rate-burst", "skipped")).toHaveLength(2);
  });

  test("keys: one bucket per value; explicit null is a value; a missing field is not rate limited", async () => {
    await sendEvents(engine.url, [
      { name: "flow/rate-keyed", data: { i: 0, user: "a" } },
      { name: "flow/rate-keyed", data: { i: 1, user: "a" } },
      { name: "flow/rate-keyed", data: { i: 2, user: "b" } },
      { name: "flow/rate-keyed", data: { i: 3, user: null } },
      { name: "flow/rate-keyed", data: { i: 4, user: null } },
      { name: "flow/rate-keyed", data: { i: 5 } },
      { name: "flow/rate-keyed", data: { i: 6 } },
      { name: "flow/rate-keyed", data: { i: 7 } },
    ]);
    // a: 0 runs, 1 skipped; b: 2 runs; null: 3 runs, 4 skipped; missing: 5, 6, 7 all run.
    const done = await completed("rate-keyed", 6);
    expect(done.map((r) => r.output).sort()).toEqual([0, 2, 3, 5, 6, 7]);
    expect((await runsOfFn("rate-keyed", "skipped")).length).toBe(2);
  });
});

describe("debounce", () => {
  test("10 events, 1 s apart: the period restarts on each; one run, with the last event", async () => {
    const start = now;
    for (let n = 0; n < 10; n++) {
      if (n) await advance(1000);
      await inngest.send({ name: "flow/debounce", data: { user: "u1", n } });
    }
    // Last event at start + 9 s → fires at start + 19 s, not a millisecond before.
    await advance(start + 19_000 - 1 - now);
    expect(await dueItems("debounced")).toBe(0);
    expect(await started("debounced")).toBe(0);
    await advance(1);
    await completed("debounced", 1);
    const runs = await runsOfFn("debounced");
    expect(runs).toHaveLength(1);
    expect(runs[0]?.output).toBe(9);
    expect(seen.get("debounced")).toEqual([expect.objectContaining({ n: 9, user: "u1", events: [9] })]);
  });

  test("keys: one debounce per value; a missing key field shares the key \"false\"; an older event never wins", async () => {
    seen.delete("debounced");
    await sendEvents(engine.url, [
      { name: "flow/debounce", data: { user: "u2", n: 1 } },
      { name: "flow/debounce", data: { n: 2 } },
      { name: "flow/debounce", data: { n: 3 } },
    ]);
    // Out of order: an event whose ts is older than the pending one is ignored.
    await sendEvents(engine.url, [{ name: "flow/debounce", data: { user: "u2", n: 4 }, ts: now - 60_000 }]);
    await advance(10_000);
    await completed("debounced", 3);
    const got = seen.get("debounced")!.map((s) => [s.user ?? null, s.n]).sort();
    expect(got).toEqual([
      ["u2", 1],
      [null, 3],
    ].sort());
  });

  test("timeout caps the wait from the first event; the next event opens a new debounce", async () => {
    const start = now;
    for (let n = 0; n < 4; n++) {
      if (n) await advance(8000);
      await sendEvents(engine.url, [{ name: "flow/debounce-capped", data: { n } }]);
    }
    // Without the cap the last event (start + 24 s) would fire at start + 34 s; the cap is start + 30 s.
    await advance(start + 30_000 - now);
    const runs = await completed("debounce-capped", 1);
    expect(runs[0]?.output).toBe(3);
    expect(Date.parse(runs[0]!.run_started_at!)).toBe(start + 30_000);
    await advance(1000);
    await sendEvents(engine.url, [{ name: "flow/debounce-capped", data: { n: 4 } }]);
    await advance(10_000);
    const again = await completed("debounce-capped", 2);
    expect(again.map((r) => r.output).sort()).toEqual([3, 4]);
  });
});

describe("batchEvents", () => {
  test("250 events → 2 full runs of 100 at once and a partial run of 50 at the timeout", async () => {
    const start = now;
    const sent = await inngest.send(Array.from({ length: 250 }, (_, i) => ({ name: "flow/batch", data: { i } })));
    const full = await completed("batched", 2);
    expect(full.map((r) => (r.output as { n: number }).n)).toEqual([100, 100]);
    const outs = full.map((r) => r.output as { first: number; n: number; is: number[] }).sort((a, b) => a.first - b.first);
    expect(outs[0]).toEqual({ first: 0, n: 100, is: Array.from({ length: 100 }, (_, i) => i) });
    expect(outs[1]).toEqual({ first: 100, n: 100, is: Array.from({ length: 100 }, (_, i) => i + 100) });
    // The rest waits for the timeout (60 s from its first event).
    await advance(start + 60_000 - 1 - now);
    expect(await dueItems("batched")).toBe(0);
    await advance(1);
    const all = await completed("batched", 3);
    const last = all.map((r) => r.output as { first: number; n: number; is: number[] }).find((o) => o.first === 200);
    expect(last).toEqual({ first: 200, n: 50, is: Array.from({ length: 50 }, (_, i) => i + 200) });
    expect(await runsOfFn("batched")).toHaveLength(3);
    // Every event of a batch leads to its run in the read API.
    const of150 = await runsOf(engine.url, sent.ids[150]!);
    expect(of150).toHaveLength(1);
    const run = (await getJson<{ data: { event: { data: { i: number } } } }>(`${engine.url}/v1/runs/${of150[0]!.run_id}`)).body.data;
    expect(run.event.data.i).toBe(100);
  });

  test("keys, `if`, and a missing key field (shared batch \"false\")", async () => {
    const start = now;
    await sendEvents(engine.url, [
      ...[0, 1, 2].map((i) => ({ name: "flow/batch-keyed", data: { i, team: "A", bulk: true } })),
      ...[3, 4].map((i) => ({ name: "flow/batch-keyed", data: { i, team: "B", bulk: true } })),
      ...[5, 6].map((i) => ({ name: "flow/batch-keyed", data: { i, bulk: true } })),
      { name: "flow/batch-keyed", data: { i: 7, team: "A", bulk: false } }, // `if` false → runs alone, now
    ]);
    const alone = await completed("batch-keyed", 1);
    expect(alone[0]?.output).toEqual({ n: 1, teams: ["A"], is: [7] });
    await sendEvents(engine.url, [8, 9].map((i) => ({ name: "flow/batch-keyed", data: { i, team: "A", bulk: true } })));
    const filled = await completed("batch-keyed", 2);
    expect(filled.map((r) => r.output)).toContainEqual({ n: 5, teams: ["A"], is: [0, 1, 2, 8, 9] });
    await advance(start + 60_000 - now);
    const all = await completed("batch-keyed", 4);
    const outs = all.map((r) => r.output);
    expect(outs).toContainEqual({ n: 2, teams: ["B"], is: [3, 4] });
    expect(outs).toContainEqual({ n: 2, teams: ["(none)"], is: [5, 6] });
  });
});

describe("two engine processes on one database", () => {
  test("concurrent sends to both: each batch gets every event once; one debounce run; one throttle gate", async () => {
    second = await startTestEngine(db.url, { clock, timeScale: 1, leaseMs: 1e9, workers: 16 });
    const ids = (base: number) => Array.from({ length: 100 }, (_, i) => ({ name: "flow/batch", data: { i: base + i } }));
    const [ra, rb] = await Promise.all([sendEvents(engine.url, ids(1000)), sendEvents(second.url, ids(2000))]);
    expect(ra.status + rb.status).toBe(400);
    const batches = await completed("batched", 5);
    const newer = batches.map((r) => r.output as { first: number; is: number[] }).filter((o) => o.first >= 1000);
    expect(newer.map((o) => o.is.length)).toEqual([100, 100]);
    expect(newer.flatMap((o) => o.is).sort((a, b) => a - b)).toEqual([...ids(1000), ...ids(2000)].map((e) => e.data.i));

    seen.delete("debounced");
    await Promise.all(
      Array.from({ length: 10 }, (_, n) => sendEvents(n % 2 ? second.url : engine.url, [{ name: "flow/debounce", data: { user: "multi", n } }])),
    );
    await advance(10_000, second);
    await completed("debounced", 4);
    expect(seen.get("debounced")).toHaveLength(1);

    // Throttle: 20 events sent concurrently through both engines for a fresh key (limit 1 + burst 1
    // per minute): 2 start, 18 wait behind one gate, then one more per minute.
    await Promise.all([
      sendEvents(engine.url, Array.from({ length: 10 }, (_, i) => ({ name: "flow/throttle-keyed", data: { i: 100 + i, provider: "multi" } }))),
      sendEvents(second.url, Array.from({ length: 10 }, (_, i) => ({ name: "flow/throttle-keyed", data: { i: 200 + i, provider: "multi" } }))),
    ]);
    const multi = async () => {
      const r = await sql.query<{ started: number; waiting: number; gates: number }>(
        `select (select count(*)::int from runs r join events e on e.internal_id = r.event_id
                  where r.function_id = 'flow-throttle-keyed' and e.payload->'data'->>'provider' = 'multi' and r.started_at is not null) as started,
                (select count(*)::int from flow_throttle_waiting where function_id = 'flow-throttle-keyed' and key = '=multi') as waiting,
                (select count(*)::int from queue where id in (select gate_id from flow_gcra where function_id = 'flow-throttle-keyed' and key = '=multi')) as gates`,
      );
      return r.rows[0]!;
    };
    await waitFor(async () => (await multi()).started === 2, { what: "2 throttled runs to start" });
    expect(await multi()).toEqual({ started: 2, waiting: 18, gates: 1 });
    for (let k = 1; k <= 3; k++) {
      await advance(60_000, k % 2 ? second : engine);
      await waitFor(async () => (await multi()).started === 2 + k, { what: `${2 + k} throttled runs to start` });
      expect(await multi()).toEqual({ started: 2 + k, waiting: 18 - k, gates: 1 });
    }
  });
});
