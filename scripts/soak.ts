// npm run soak -- --minutes 5: sustained sign-ups at 80 % of the capacity measured at the start,
// with the background work they cause (verification emails; half the people verify, which sends
// the welcome email and resizes their avatar). Every 10 s: sign-ups accepted, 202 p95, the
// executor's queue depth, the outbox backlog, RSS of the app and the engine. At the end: 202 p95 of
// the first minute against the last, RSS start/end, lost and duplicated emails. By hand only.
//
//   npm run soak -- [--minutes 5] [--rate <sign-ups per second>]   (needs `npm run build`)
import pg from "pg";
import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { exitOnSetupError } from "@signup-jobs/devkit";
import { requireProductionBuild, startStack } from "./lib/stack";
import { avatarPng, kindOf, newAddress, signUp, verifyByEmail } from "./lib/people";
import { percentile } from "./lib/stats";
import { cliOptions, positiveNumber } from "./lib/cli";

const PORTS = { app: 3736, engine: 8736, mail: 4736, pg: 54736 };
const { values } = cliOptions("npm run soak -- [--minutes 5] [--rate <sign-ups per second>]", {
  values: { minutes: positiveNumber().default(5), rate: positiveNumber().optional() },
});
const MINUTES = values.minutes;
requireProductionBuild("the soak runs the production server");
const PROVIDER_RATE = 50;

const stack = await startStack({
  command: "npm run soak",
  mode: "start",
  appPort: PORTS.app,
  enginePort: PORTS.engine,
  mailPort: PORTS.mail,
  // A real provider takes a few hundred ms per email.
  mailLatencyMs: 300,
  dataDir: ".data/soak",
  fresh: true,
  quiet: true,
  controllable: true, // for the RSS of each process tree
  pg: { dataDir: ".data/soak/postgres", port: PORTS.pg, ephemeral: true },
  // The soak loads the app and the executor, not the provider: 1.5 emails per sign-up at the 2–6
  // sign-ups/s this machine takes is more than Resend's default 2 requests/s (less the pacer's 25 %
  // slack) can carry, and at that limit the mail backlog would grow for as long as the soak runs (at
  // 10/s a 5.4/s soak still outran it: 8.1 emails/s against 8 slots). It plays a team whose limit
  // was raised to 50/s, and the catcher enforces it (429s are counted).
  mailRateLimit: `${PROVIDER_RATE}/s`,
  providerRequestsPerSecond: PROVIDER_RATE,
  openLimits: "sign-up",
}).catch(exitOnSetupError);
const app = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
const engine = new pg.Pool({ connectionString: stack.engineDatabaseUrl, max: 2 });
const mail = createMailCatcherClient(stack.mailUrl);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

type Person = { email: string; avatar: boolean; verify: boolean; verified: boolean; at: number; ms: number; status: number };
const people: Person[] = [];
const photo = await avatarPng();
const verifications: Promise<void>[] = [];

async function one(i: number): Promise<Person> {
  const person: Person = { email: newAddress(`soak${i}`), avatar: i % 2 === 0, verify: i % 2 === 0, verified: false, at: Date.now(), ms: 0, status: 0 };
  const result = await signUp(stack.appUrl, person.email, person.avatar ? { avatar: photo } : {});
  person.ms = result.ms;
  person.status = result.status;
  people.push(person);
  if (result.status === 202 && person.verify) {
    verifications.push(
      verifyByEmail(stack.appUrl, mail, person.email, 240_000).then(
        () => void (person.verified = true),
        (error: unknown) => console.error(`[soak] ${error instanceof Error ? error.message : String(error)}`),
      ),
    );
  }
  return person;
}

try {
  // Capacity: sign-ups accepted per second with 4 in flight for 20 s (the background work they
  // start runs meanwhile, as it will during the soak).
  let rate = values.rate ?? 0;
  if (!rate) {
    const until = Date.now() + 20_000;
    let n = 0;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < until) if ((await one(n++)).status === 202) accepted++;
      }),
    );
    rate = (accepted / 20) * 0.8;
    console.log(`[soak] capacity ${(accepted / 20).toFixed(2)} sign-ups/s (4 in flight, 20 s); soaking at 80 %: ${rate.toFixed(2)}/s for ${MINUTES} min`);
  } else {
    console.log(`[soak] soaking at ${rate}/s for ${MINUTES} min`);
  }
  const warmup = people.length;
  const rss = { app: [stack.control.rss("app")], engine: [stack.control.rss("engine")] };

  // Open loop: one sign-up every 1/rate s whatever the answers take, so a slow app shows as
  // latency and backlog instead of a slower client.
  const started = Date.now();
  const end = started + MINUTES * 60_000;
  const inFlight: Promise<Person>[] = [];
  let i = warmup;
  let lastReport = started;
  const report = async () => {
    const now = Date.now();
    const window = people.filter((p) => p.at >= lastReport && p.at < now && people.indexOf(p) >= warmup);
    lastReport = now;
    const [queue, outbox] = await Promise.all([
      engine.query<{ due: number; running: number }>("select count(*) filter (where state = 'queued' and run_at <= now())::int as due, count(*) filter (where state = 'running')::int as running from queue"),
      app.query<{ n: number }>("select count(*)::int as n from outbox_events where sent_at is null"),
    ]);
    rss.app.push(stack.control.rss("app"));
    rss.engine.push(stack.control.rss("engine"));
    const ok = window.filter((p) => p.status === 202);
    console.log(
      `[soak] t=${((now - started) / 1000).toFixed(0).padStart(4)} s · 202 ${ok.length}/${window.length} · p95 ${ok.length ? `${percentile(ok.map((p) => p.ms), 95).toFixed(0)} ms` : "—"} · queue due ${queue.rows[0]!.due} running ${queue.rows[0]!.running} · outbox backlog ${outbox.rows[0]!.n} · RSS app ${mb(rss.app.at(-1)!)} engine ${mb(rss.engine.at(-1)!)}`,
    );
  };
  const reporter = setInterval(() => void report(), 10_000);
  while (Date.now() < end) {
    inFlight.push(one(i++));
    const next = started + ((i - warmup) / rate) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  clearInterval(reporter);
  await Promise.all(inFlight);
  const rssEnd = { app: stack.control.rss("app"), engine: stack.control.rss("engine") };

  // Settle: every accepted person's verification email; the verified ones' welcome email and avatar.
  await Promise.all(verifications);
  const soaked = people.slice(warmup);
  const accepted = soaked.filter((p) => p.status === 202);
  const deadline = Date.now() + 240_000;
  let lost: Person[] = [];
  let duplicates = 0;
  for (;;) {
    const messages = await mail.messages();
    const kinds = new Map<string, string[]>();
    for (const m of messages) for (const to of m.to) kinds.set(to, [...(kinds.get(to) ?? []), kindOf(m.subject)]);
    const { rows } = await app.query<{ email: string; avatar_status: string }>("select email, avatar_status from users where email = any($1)", [accepted.map((p) => p.email)]);
    const avatars = new Map(rows.map((r) => [r.email, r.avatar_status]));
    lost = accepted.filter((p) => {
      const k = kinds.get(p.email) ?? [];
      return !k.includes("verification") || (p.verified && (!k.includes("welcome") || (p.avatar && avatars.get(p.email) !== "READY")));
    });
    duplicates = [...kinds.values()].reduce((n, k) => n + k.filter((kind, idx) => k.indexOf(kind) !== idx).length, 0);
    if (lost.length === 0 || Date.now() > deadline) break;
    // Emails arrive on their own in another process: look again shortly.
    await new Promise((r) => setTimeout(r, 2_000));
  }

  const throttled = (await mail.counters()).status429;
  const firstMinute = accepted.filter((p) => p.at < started + 60_000).map((p) => p.ms);
  const lastMinute = accepted.filter((p) => p.at >= end - 60_000).map((p) => p.ms);
  const statuses = new Map<number, number>();
  for (const p of soaked) statuses.set(p.status, (statuses.get(p.status) ?? 0) + 1);
  console.log(`
| soak (${MINUTES} min at ${rate.toFixed(2)} sign-ups/s) | |
|---|---|
| sign-ups sent | ${soaked.length} (${[...statuses].map(([s, n]) => `${s || "hang"}×${n}`).join(" ")}) |
| verified (welcome email + avatar) | ${soaked.filter((p) => p.verified).length} |
| 202 p95, first minute | ${percentile(firstMinute, 95).toFixed(0)} ms (p50 ${percentile(firstMinute, 50).toFixed(0)} ms) |
| 202 p95, last minute | ${percentile(lastMinute, 95).toFixed(0)} ms (p50 ${percentile(lastMinute, 50).toFixed(0)} ms) |
| RSS app, start → end | ${mb(rss.app[0]!)} → ${mb(rssEnd.app)} (max ${mb(Math.max(...rss.app))}) |
| RSS engine, start → end | ${mb(rss.engine[0]!)} → ${mb(rssEnd.engine)} (max ${mb(Math.max(...rss.engine))}) |
| lost (an email or avatar never came) | ${lost.length} |
| duplicate emails (per recipient and kind) | ${duplicates} |
| provider 429s (limit ${PROVIDER_RATE}/s) | ${throttled} |
`);
  process.exitCode = lost.length === 0 && duplicates === 0 && throttled === 0 && accepted.length === soaked.length ? 0 : 1;
} finally {
  await app.end();
  await engine.end();
  await stack.stop();
}
process.exit(process.exitCode ?? 0);
