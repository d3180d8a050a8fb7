// The hot path (group-commit.ts): one fenced statement per step, grouped across workers, the run's
// state carried across in-place continuations, and inngest/function.finished stored only when
// something can receive it. These check that it never changes what the general path would do.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import { createPool, dbStats } from "../src/db";
import { migrate } from "../src/migrate";
import { CLAIM_SQL } from "../src/queue";
import { createTestDatabase, fixtureClient, getJson, getRun, sendEvents, startFixtureApp, startTestEngine, waitFor, waitForRun, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;
let sql: pg.Client;
const ran = new Map<string, number>();
const bump = (k: string) => ran.set(k, (ran.get(k) ?? 0) + 1);

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url);
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const inngest = fixtureClient(engine.url, "hot");
  const par = inngest.createFunction({ id: "par", triggers: [{ event: "hot/par" }] }, async ({ step, runId }) => {
    await Promise.all([
      step.run("x", () => bump("x")),
      // y finishes only after x's result is recorded: its write-back must not carry a state that
      // lacks x into the next discovery (x would run again).
      step.run("y", async () => {
        await waitFor(async () => (await getRun(engine.url, runId)).steps.some((s) => s.name === "x"), { what: "x recorded" });
        bump("y");
      }),
    ]);
    await step.run("z", () => bump("z"));
    return "xyz";
  });
  const many = inngest.createFunction({ id: "many", triggers: [{ event: "hot/many" }] }, async ({ event, step }) => {
    const a = await step.run("a", () => (event.data.i as number) * 2);
    const b = await step.run("b", () => a + 1);
    const c = await step.run("c", () => b * 10);
    return c;
  });
  const quiet = inngest.createFunction({ id: "quiet", triggers: [{ event: "hot/quiet" }] }, async ({ step }) => step.run("s", () => "done"));
  const watcher = inngest.createFunction({ id: "watcher", triggers: [{ event: "hot/watch" }] }, async ({ event, step }) => {
    const finished = await step.waitForEvent("finished", {
      event: "inngest/function.finished",
      if: `async.data.function_id == 'hot-quiet' && async.data.event.data.tag == '${event.data.tag as string}'`,
      timeout: "1h",
    });
    return (finished as { data: { result: unknown } } | null)?.data.result ?? null;
  });
  const waiter = inngest.createFunction({ id: "waiter", triggers: [{ event: "hot/wait" }] }, async ({ step }) => {
    const answer = await step.waitForEvent("answer", { event: "hot/answer", timeout: "1h" });
    return answer?.data ?? null;
  });
  app = await startFixtureApp(inngest, [par, many, quiet, watcher, waiter]);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await sql?.end();
  await db?.drop();
});

describe("hot path", () => {
  test("a parallel sibling recorded during the last step's request: the next discovery sees it; every step runs once", async () => {
    const sent = await sendEvents(engine.url, [{ name: "hot/par" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "hot-par");
    expect(run.output).toBe("xyz");
    expect([ran.get("x"), ran.get("y"), ran.get("z")]).toEqual([1, 1, 1]);
  });

  test("concurrent runs written back in groups: every step once, results and attempts as the general path records them", async () => {
    const n = 60;
    const sent = await sendEvents(engine.url, Array.from({ length: n }, (_, i) => ({ name: "hot/many", data: { i } })));
    const runs = await Promise.all(sent.body.ids.map((id) => waitForRun(engine.url, id, "hot-many", ["Completed", "Failed"], 30_000)));
    expect(runs.map((r) => r.output)).toEqual(Array.from({ length: n }, (_, i) => (i * 2 + 1) * 10));
    for (const r of runs) {
      expect(r.steps.map((s) => s.name)).toEqual(["a", "b", "c"]);
      expect(r.steps.map((s) => s.result)).toEqual([{ data: (r.output as number) / 10 - 1 }, { data: (r.output as number) / 10 }, { data: r.output }]);
      // A request that failed under load (say, past the test engine's 5 s request timeout) is
      // retried like on the general path; what matters is one `ok` per step, then the completion.
      const transient = r.attempts.filter((a) => a.outcome === "error");
      expect(transient.every((a) => a.error?.name === "TimeoutError" || a.error?.name === "FetchError"), JSON.stringify(transient)).toBe(true);
      expect(r.attempts.filter((a) => a.outcome !== "error").map((a) => a.outcome)).toEqual(["ok", "ok", "ok", "completed"]);
    }
    const left = await sql.query("select 1 from queue q join runs r on r.id = q.run_id where r.function_id = 'hot-many'");
    expect(left.rowCount).toBe(0);
  });

  test("a burst larger than the worker pool: runs claimed from the queue come with their state, none is loaded again", async () => {
    const loads = () => [...dbStats.byText].filter(([text]) => /with started as \(update runs set status = 'running'/.test(text)).reduce((n, [, c]) => n + c, 0);
    const claims = () => [...dbStats.byText].filter(([text]) => /for update skip locked/.test(text)).reduce((n, [, c]) => n + c, 0);
    const [loads0, claims0] = [loads(), claims()];
    const n = 80; // the test engine has 32 workers: most runs wait in the queue and are claimed
    const sent = await sendEvents(engine.url, Array.from({ length: n }, (_, i) => ({ name: "hot/many", data: { i } })));
    const runs = await Promise.all(sent.body.ids.map((id) => waitForRun(engine.url, id, "hot-many", ["Completed", "Failed"], 30_000)));
    expect(runs.map((r) => r.output)).toEqual(Array.from({ length: n }, (_, i) => (i * 2 + 1) * 10));
    expect(claims() - claims0).toBeGreaterThan(0);
    expect(loads() - loads0).toBe(0);
  });

  test("nobody listens: no inngest/function.finished is stored; an open wait for it: stored, and the wait resumes", async () => {
    const quiet = await sendEvents(engine.url, [{ name: "hot/quiet", data: { tag: "alone" } }]);
    const run = await waitForRun(engine.url, quiet.body.ids[0]!, "hot-quiet");
    const stored = async (runId: string) =>
      (await getJson<{ data: { data: { run_id: string } }[] }>(`${engine.url}/v1/events?name=inngest/function.finished&limit=500`)).body.data.some(
        (e) => e.data.run_id === runId,
      );
    expect(await stored(run.run_id)).toBe(false);

    const watch = await sendEvents(engine.url, [{ name: "hot/watch", data: { tag: "seen" } }]);
    await waitFor(async () => (await sql.query("select 1 from pauses where event_name = 'inngest/function.finished'")).rowCount === 1, {
      what: "the wait",
    });
    const quiet2 = await sendEvents(engine.url, [{ name: "hot/quiet", data: { tag: "seen" } }]);
    const run2 = await waitForRun(engine.url, quiet2.body.ids[0]!, "hot-quiet");
    expect(await stored(run2.run_id)).toBe(true);
    expect((await waitForRun(engine.url, watch.body.ids[0]!, "hot-watcher")).output).toBe("done");
  });

  test("the event API: an event for plain functions is stored and its run started by one statement; an open wait on its name takes the transaction and resumes", async () => {
    // Statements that store events or start runs, and how often each ran since `before`.
    const storing = () => new Map([...dbStats.byText].filter(([text]) => /insert into (events|run_keys|runs)\b/.test(text)));
    const grown = (before: Map<string, number>) => [...storing()].flatMap(([text, n]) => (n > (before.get(text) ?? 0) ? [{ text, n: n - (before.get(text) ?? 0) }] : []));

    let before = storing();
    const sent = await sendEvents(engine.url, [{ name: "hot/many", data: { i: 4 } }]);
    const one = grown(before);
    expect(one).toHaveLength(1);
    expect(one[0]!.n).toBe(1);
    expect(one[0]!.text).toMatch(/insert into events[\s\S]*insert into run_keys[\s\S]*insert into runs[\s\S]*insert into queue/);
    expect((await waitForRun(engine.url, sent.body.ids[0]!, "hot-many")).output).toBe(90);

    const wait = await sendEvents(engine.url, [{ name: "hot/wait" }]);
    await waitFor(async () => (await sql.query("select 1 from pauses where event_name = 'hot/answer'")).rowCount === 1, { what: "the wait" });
    before = storing();
    await sendEvents(engine.url, [{ name: "hot/answer", data: { n: 7 } }]);
    // The one statement saw the pause and wrote nothing; the transaction stored the event once.
    const two = grown(before);
    expect(two.find((g) => g.text === one[0]!.text)?.n).toBe(1);
    expect(two.length).toBeGreaterThan(1);
    expect((await sql.query("select 1 from events where name = 'hot/answer'")).rowCount).toBe(1);
    expect((await waitForRun(engine.url, wait.body.ids[0]!, "hot-waiter")).output).toEqual({ n: 7 });
  });
});

describe("the claim on a fresh database", () => {
  // A connection makes its generic plan on its first claim — on a fresh engine, while the tables
  // are tiny and never analyzed — and keeps it. If that plan scans every queued run to mark the
  // claimed ones started, each claim costs O(backlog) until autoanalyze runs (seen: 0.8 ms a claim
  // with 2,000 queued, most of the claim's time).
  test("its plan reaches runs, events and steps through their indexes, never a scan of the whole table", async () => {
    const fresh = await createTestDatabase();
    const pool = createPool(fresh.url, 1, true);
    try {
      await migrate(pool);
      const { rows } = await pool.query<{ "QUERY PLAN": unknown }>(`explain (generic_plan, format json) ${CLAIM_SQL}`);
      const scans: string[] = [];
      const walk = (node: Record<string, unknown>) => {
        if (node["Relation Name"]) scans.push(`${node["Node Type"] as string} on ${node["Relation Name"] as string}`);
        for (const child of (node["Plans"] as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk((rows[0]!["QUERY PLAN"] as { Plan: Record<string, unknown> }[])[0]!.Plan);
      expect(scans.filter((s) => /on (runs|events|steps)$/.test(s)).length).toBeGreaterThan(0);
      expect(scans.filter((s) => s.startsWith("Seq Scan"))).toEqual([]);
    } finally {
      await pool.end();
      await fresh.drop();
    }
  });
});
