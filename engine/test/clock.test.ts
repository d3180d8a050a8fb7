// Time-driven behaviour with an injected clock and time scale 1: events with a future `ts` start
// at `ts` (notes §9), timeouts.start / timeouts.finish cancel the run (notes §8), cron jitter
// delays a tick's run (notes §13.1). The test moves the clock; nothing sleeps.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import {
  createTestDatabase,
  fixtureClient,
  getJson,
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
const T0 = Date.parse("2026-12-10T10:00:30Z");
let now = T0;
const clock = () => now;

const ran = new Map<string, number>();
const bump = (k: string) => ran.set(k, (ran.get(k) ?? 0) + 1);
const count = (k: string) => ran.get(k) ?? 0;
let openHolder = () => {};
const holderGate = new Promise<void>((r) => (openHolder = r));
let holderEntered = false;
const cronEvents: { data: Record<string, string>; ts: number }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { clock, timeScale: 1, cronTimer: false });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const inngest = fixtureClient(engine.url, "clock");

  const later = inngest.createFunction({ id: "later", triggers: [{ event: "later/go" }] }, async ({ event, step }) => {
    await step.run("go", () => bump(`later-${event.data.k}`));
  });
  // Two functions sharing one env-scoped concurrency slot: the holder keeps it busy.
  const slot = { limit: 1, key: "'slot'", scope: "env" as const };
  const holder = inngest.createFunction({ id: "holder", concurrency: slot, triggers: [{ event: "slot/hold" }] }, async ({ step }) => {
    await step.run("hold", async () => {
      holderEntered = true;
      await holderGate;
    });
  });
  const late = inngest.createFunction(
    { id: "late", concurrency: slot, timeouts: { start: "10m" }, triggers: [{ event: "slot/late" }] },
    async ({ step }) => {
      await step.run("go", () => bump("late"));
    },
  );
  const bounded = inngest.createFunction({ id: "bounded", timeouts: { finish: "10m" }, triggers: [{ event: "bounded/go" }] }, async ({ step }) => {
    await step.run("a", () => bump("bounded-a"));
    await step.sleep("nap", "1h");
    await step.run("b", () => bump("bounded-b"));
  });
  const jittery = inngest.createFunction({ id: "jittery", triggers: [{ cron: "*/5 * * * *", jitter: "2m" }] }, async ({ event }) => {
    cronEvents.push(event as unknown as (typeof cronEvents)[number]);
    return "tick";
  });
  app = await startFixtureApp(inngest, [later, holder, late, bounded, jittery]);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  openHolder();
  await engine?.stop();
  await app?.close();
  await sql?.end();
  await db?.drop();
});

async function runOf(eventId: string, fnId: string) {
  return waitFor(async () => (await runsOf(engine.url, eventId)).find((r) => r.function_id === fnId), { what: `run of ${fnId}` });
}

describe("future ts", () => {
  // Senders stamp ts with the wall clock (the SDK uses Date.now()), so the delay is measured
  // against the wall clock at receipt and the run starts that long after receipt on the engine
  // clock: with this injected clock, at T0 + 1 h.
  test("an event with a future ts starts its run at ts, not before", async () => {
    now = T0;
    const sent = await sendEvents(engine.url, [{ name: "later/go", data: { k: "x" }, ts: Date.now() + 3600_000 }]);
    const summary = await runOf(sent.body.ids[0]!, "clock-later");
    const queued = await sql.query<{ run_at: Date }>("select run_at from queue where run_id = $1", [summary.run_id]);
    const startAt = queued.rows[0]!.run_at.getTime();
    expect(startAt).toBeGreaterThan(T0 + 3600_000 - 10_000); // minus the request's own latency
    expect(startAt).toBeLessThanOrEqual(T0 + 3600_000);
    now = startAt - 1;
    await engine.poke();
    expect((await getRun(engine.url, summary.run_id)).status).toBe("Queued");
    now = startAt;
    await engine.poke();
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "clock-later");
    expect(run.status).toBe("Completed");
    expect(count("later-x")).toBe(1);
    expect(Date.parse((await getJson<{ data: { run_started_at: string } }>(`${engine.url}/v1/runs/${run.run_id}`)).body.data.run_started_at)).toBe(startAt);
  });

  test("a ts in the past, or one stamped now by the SDK while the engine clock is elsewhere, starts at once", async () => {
    const sent = await sendEvents(engine.url, [
      { name: "later/go", data: { k: "past" }, ts: Date.now() - 86_400_000 },
      { name: "later/go", data: { k: "now" }, ts: Date.now() },
    ]);
    expect((await waitForRun(engine.url, sent.body.ids[0]!, "clock-later")).status).toBe("Completed");
    expect((await waitForRun(engine.url, sent.body.ids[1]!, "clock-later")).status).toBe("Completed");
  });
});

describe("timeouts", () => {
  test("timeouts.start: a run still not started after `start` is cancelled, and never runs", async () => {
    const hold = await sendEvents(engine.url, [{ name: "slot/hold" }]);
    await waitFor(() => holderEntered, { what: "the holder to take the slot" });
    const sent = await sendEvents(engine.url, [{ name: "slot/late" }]);
    const summary = await runOf(sent.body.ids[0]!, "clock-late");
    now += 9 * 60_000;
    await engine.poke();
    expect((await getRun(engine.url, summary.run_id)).status).toBe("Queued");
    now += 2 * 60_000;
    await engine.poke();
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "clock-late", ["Cancelled"]);
    expect(run.error).toMatchObject({ reason: "timeouts.start (10m) exceeded" });
    openHolder();
    await waitForRun(engine.url, hold.body.ids[0]!, "clock-holder");
    await engine.poke();
    expect(count("late")).toBe(0);
  });

  test("timeouts.finish: a run still going after `finish` is cancelled; function.cancelled is emitted", async () => {
    const sent = await sendEvents(engine.url, [{ name: "bounded/go" }]);
    const summary = await runOf(sent.body.ids[0]!, "clock-bounded");
    await waitFor(async () => (await getRun(engine.url, summary.run_id)).attempts.some((a) => a.outcome === "sleep"), { what: "the sleep" });
    now += 11 * 60_000;
    await engine.poke();
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "clock-bounded", ["Cancelled"]);
    expect(run.error).toMatchObject({ reason: "timeouts.finish (10m) exceeded" });
    const cancelled = await getJson<{ data: { data: { run_id: string; _inngest: unknown } }[] }>(`${engine.url}/v1/events?name=inngest/function.cancelled`);
    expect(cancelled.body.data.find((e) => e.data.run_id === run.run_id)?.data._inngest).toEqual({ status: "Cancelled" });
    now += 3600_000;
    await engine.poke();
    expect([count("bounded-a"), count("bounded-b")]).toEqual([1, 0]);
  });
});

describe("cron jitter", () => {
  test("a tick's run starts at scheduledAt + a jitter in [1 s, jitter), stable per tick", async () => {
    now = Date.parse("2026-12-10T12:30:00.000Z");
    expect(await engine.cronTick()).toBe(1);
    const ev = await waitFor(async () => {
      const r = await getJson<{ data: { internal_id: string; ts: number; data: Record<string, string> }[] }>(
        `${engine.url}/v1/events?name=inngest/scheduled.timer`,
      );
      return r.body.data.find((e) => e.data.scheduledAt === "2026-12-10T12:30:00Z");
    });
    const delay = ev.ts - now;
    expect(delay).toBeGreaterThanOrEqual(1000);
    expect(delay).toBeLessThan(120_000);
    expect(ev.data.fireAt).toBe(new Date(ev.ts).toISOString().replace(/\.\d{3}Z$/, "Z"));
    const summary = await runOf(ev.internal_id, "clock-jittery");
    expect((await getRun(engine.url, summary.run_id)).status).toBe("Queued");
    now = ev.ts;
    await engine.poke();
    await waitForRun(engine.url, ev.internal_id, "clock-jittery");
    expect(cronEvents.at(-1)?.data.scheduledAt).toBe("2026-12-10T12:30:00Z");
  });
});
