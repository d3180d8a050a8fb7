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

// Each process keeps the synced functions in memory and reloads them on a NOTIFY from the process
// that synced: an event reaching another process in the moment before that NOTIFY arrived was
// stored with no runs at all (seen as the first test above failing now and then). Here the moment
// lasts: an app's functions are written as another process's sync writes them — the rows of a real
// sync on a scratch database, and the version bump — but without the NOTIFY, so b's registry is
// stale when the event reaches it.
async function syncedWithoutNotify(appUrl: string) {
  const scratch = await createTestDatabase();
  const elsewhere = await startTestEngine(scratch.url);
  const source = new pg.Client({ connectionString: scratch.url });
  const target = new pg.Client({ connectionString: db.url });
  try {
    await elsewhere.syncApp(appUrl);
    await source.connect();
    const apps = (await source.query("select id, url, sdk, synced_at from apps")).rows;
    const fns = (await source.query("select id, app_id, name, url, max_attempts, config, updated_at from functions")).rows;
    await target.connect();
    await target.query("begin");
    for (const x of apps) await target.query("insert into apps (id, url, sdk, synced_at) values ($1, $2, $3, $4)", [x.id, x.url, x.sdk, x.synced_at]);
    for (const f of fns) {
      await target.query("insert into functions (id, app_id, name, url, max_attempts, config, updated_at) values ($1, $2, $3, $4, $5, $6, $7)", [
        f.id, f.app_id, f.name, f.url, f.max_attempts, f.config, f.updated_at,
      ]);
    }
    await target.query("update registry_version set version = version + 1");
    await target.query("commit");
  } finally {
    await source.end().catch(() => {});
    await target.end().catch(() => {});
    await elsewhere.stop();
    await scratch.drop();
  }
}

test("an event sent to one engine right after functions were synced through another starts their runs", async () => {
  const late = fixtureClient(a.url, "late");
  const plain = late.createFunction({ id: "plain", triggers: [{ event: "late/plain" }] }, async ({ step }) => step.run("only", () => "ran"));
  const lateApp = await startFixtureApp(late, [plain]);
  // Keyed: its events take the general path (a transaction), which checks the version too.
  const later = fixtureClient(a.url, "later");
  const keyed = later.createFunction({ id: "keyed", concurrency: { limit: 1 }, triggers: [{ event: "late/keyed" }] }, async ({ step }) => step.run("only", () => "ran"));
  const laterApp = await startFixtureApp(later, [keyed]);
  try {
    await syncedWithoutNotify(lateApp.url);
    const viaApi = await sendEvents(b.url, [{ name: "late/plain", data: {} }]);
    expect(viaApi.status).toBe(200);
    // Stale again, and b's UI sends through the general path.
    await syncedWithoutNotify(laterApp.url);
    const viaUi = await fetch(`${b.url}/ui/api/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-engine-ui": "1" },
      body: JSON.stringify({ name: "late/keyed", data: {} }),
    });
    expect(viaUi.status).toBe(200);
    const uiIds = ((await viaUi.json()) as { ids: string[] }).ids;
    for (const [id, fn] of [[viaApi.body.ids[0]!, "late-plain"], [uiIds[0]!, "later-keyed"]] as const) {
      const run = await waitFor(async () => (await runsOf(a.url, id)).find((r) => r.status === "Completed"), { what: `the run of ${fn}` });
      expect(run.function_id).toBe(fn);
    }
  } finally {
    await lateApp.close();
    await laterApp.close();
  }
});
