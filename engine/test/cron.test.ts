// Cron with an injected clock: TZ= schedules, the scheduled.timer event shape (protocol §5), one
// fire per tick across restarts and across two engine processes, and the missed-tick policy.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Engine } from "../index";
import { createTestDatabase, fixtureClient, getJson, startFixtureApp, startTestEngine, waitFor, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let now = Date.parse("2026-12-01T07:58:00Z");
const clock = () => now;
const engines: Engine[] = [];
let app: FixtureApp;
const seen: { data: Record<string, unknown>; name: string; id: string }[] = [];

async function newEngine() {
  const e = await startTestEngine(db.url, { clock, cronTimer: false });
  engines.push(e);
  return e;
}

type Runs = { data: { run_id: string; status: string; event_id: string }[] };
const runsOf = async (e: Engine) => (await getJson<Runs>(`${e.url}/v1/runs?function_id=cron-paris-report`)).body.data;
const settled = (e: Engine, n: number) =>
  waitFor(async () => {
    const r = await runsOf(e);
    return r.length === n && r.every((x) => x.status === "Completed") ? r : null;
  }, { what: `${n} completed cron runs` });

beforeAll(async () => {
  db = await createTestDatabase();
  const first = await newEngine();
  const inngest = fixtureClient(first.url, "cron");
  const fn = inngest.createFunction({ id: "paris-report", triggers: [{ cron: "TZ=Europe/Paris 0 9 * * *" }] }, async ({ event }) => {
    seen.push(event as unknown as (typeof seen)[number]);
    return "sent";
  });
  app = await startFixtureApp(inngest, [fn]);
  await first.syncApp(app.url);
});

afterAll(async () => {
  for (const e of engines) await e.stop();
  await app?.close();
  await db?.drop();
});

test("a tick due before the schedule was synced does not fire", async () => {
  expect(await engines[0]!.cronTick()).toBe(0);
});

test("09:00 Europe/Paris (08:00 UTC in winter) fires once with the scheduled.timer event", async () => {
  now = Date.parse("2026-12-01T07:59:59Z");
  expect(await engines[0]!.cronTick()).toBe(0);
  now = Date.parse("2026-12-01T08:00:00.400Z");
  expect(await engines[0]!.cronTick()).toBe(1);
  expect(await engines[0]!.cronTick()).toBe(0);
  await settled(engines[0]!, 1);
  expect(seen[0]).toMatchObject({
    name: "inngest/scheduled.timer",
    id: "2026-12-01T08:00:00Z",
    data: { cron: "TZ=Europe/Paris 0 9 * * *", scheduledAt: "2026-12-01T08:00:00Z" },
  });
});

test("a restarted engine (and a second process) does not fire the same tick again", async () => {
  await engines[0]!.stop();
  const second = await newEngine();
  const third = await newEngine();
  expect(await second.cronTick()).toBe(0);
  expect(await third.cronTick()).toBe(0);
  expect(await runsOf(second)).toHaveLength(1);
});

test("ticks missed while down: only the most recent fires, once", async () => {
  now = Date.parse("2026-12-04T10:30:00Z"); // 2nd, 3rd and 4th were missed
  const [a, b] = [engines[1]!, engines[2]!];
  const fired = await Promise.all([a.cronTick(), b.cronTick()]);
  expect(fired[0]! + fired[1]!).toBe(1);
  await settled(a, 2);
  expect(seen.at(-1)?.data.scheduledAt).toBe("2026-12-04T08:00:00Z");
});

test("two processes racing on the same tick start one run", async () => {
  now = Date.parse("2026-12-05T08:00:00.001Z");
  const [a, b] = [engines[1]!, engines[2]!];
  // A second tick() during a sweep in the same process shares that sweep's result.
  const fired = await Promise.all([a.cronTick(), b.cronTick(), a.cronTick(), b.cronTick()]);
  expect(fired[0]! + fired[1]!).toBe(1);
  await settled(a, 3);
});

test("summer time: 09:00 Paris is 07:00 UTC", async () => {
  now = Date.parse("2027-07-01T06:59:00Z");
  expect(await engines[1]!.cronTick()).toBe(1); // the most recent missed tick (June 30th)
  now = Date.parse("2027-07-01T07:00:00Z");
  expect(await engines[1]!.cronTick()).toBe(1);
  await settled(engines[1]!, 5);
  expect(seen.slice(-2).map((e) => e.data.scheduledAt).sort()).toEqual(["2027-06-30T07:00:00Z", "2027-07-01T07:00:00Z"]);
  const status = await getJson<{ schedules: { next_run: string }[] }>(`${engines[1]!.url}/v1/status`);
  expect(status.body.schedules[0]?.next_run).toBe("2027-07-02T07:00:00.000Z");
});
