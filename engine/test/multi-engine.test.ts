// Two engine processes on one database: migrations serialise, and SKIP LOCKED claiming plus lease
// fencing mean every step runs exactly once when nothing crashes. Also: LISTEN reconnects.
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Engine } from "../index";
import { createPool } from "../src/db";
import { migrate } from "../src/migrate";
import { createTestDatabase, fixtureClient, runsOf, sendEvents, startFixtureApp, startTestEngine, waitFor, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let a: Engine;
let b: Engine;
let app: FixtureApp;
const counts = new Map<string, number>();

beforeAll(async () => {
  db = await createTestDatabase();
  // Racing migrators: the advisory lock makes one apply and the other see it applied.
  const pools = [createPool(db.url, 2), createPool(db.url, 2)];
  const applied = await Promise.all(pools.map((p) => migrate(p)));
  expect(applied.flat().filter((f) => f.startsWith("001_"))).toHaveLength(1);
  await Promise.all(pools.map((p) => p.end()));

  a = await startTestEngine(db.url, { workers: 4 });
  b = await startTestEngine(db.url, { workers: 4 });
  const inngest = fixtureClient(a.url, "multi");
  const fn = inngest.createFunction({ id: "steps", triggers: [{ event: "multi/go" }] }, async ({ event, step }) => {
    for (const s of ["one", "two", "three"]) {
      await step.run(s, async () => {
        const k = `${event.data.i}-${s}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
      });
    }
  });
  app = await startFixtureApp(inngest, [fn]);
  await a.syncApp(app.url);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await app?.close();
  await db?.drop();
});

test("runs spread over two engines; every step executes exactly once", async () => {
  const half = Array.from({ length: 15 }, (_, i) => ({ name: "multi/go", data: { i } }));
  const other = Array.from({ length: 15 }, (_, i) => ({ name: "multi/go", data: { i: i + 15 } }));
  const [ra, rb] = await Promise.all([sendEvents(a.url, half), sendEvents(b.url, other)]);
  const ids = [...ra.body.ids, ...rb.body.ids];
  for (const id of ids) {
    await waitFor(async () => (await runsOf(a.url, id)).some((r) => r.status === "Completed"), { what: `run of ${id}` });
  }
  expect(counts.size).toBe(90);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
});

test("a missing engine database is created at start", async () => {
  const url = `${db.url}_fresh`;
  const fresh = await startTestEngine(url);
  try {
    const status = await fetch(`${fresh.url}/health`);
    expect(status.status).toBe(200);
  } finally {
    await fresh.stop();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`drop database if exists ${pg.escapeIdentifier(new URL(url).pathname.slice(1))} with (force)`);
    await admin.end();
  }
});

test("the LISTEN connection reconnects after being killed, and work still flows", async () => {
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const killed = await admin.query(
    "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'",
  );
  expect(killed.rowCount).toBeGreaterThanOrEqual(2);
  await waitFor(async () => {
    const r = await admin.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen%'");
    return (r.rows[0] as { n: number }).n >= 2;
  }, { what: "listeners to reconnect" });
  await admin.end();
  const sent = await sendEvents(b.url, [{ name: "multi/go", data: { i: 100 } }]);
  await waitFor(async () => (await runsOf(a.url, sent.body.ids[0]!)).some((r) => r.status === "Completed"));
  expect(counts.get("100-three")).toBe(1);
});
