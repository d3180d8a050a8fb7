// npm run bench -- digest [--members N] [--rate 2] [--share 0.5] [--burst 200] [--burst-concurrency 20] [--signup-every 2000]
// The weekly digest at the provider's pace, on the production build (`npm run build` first): the
// stack of `npm run bench` (next start, the engine in signed mode, PostgreSQL) with the mail catcher
// limiting requests like Resend (`--rate-limit <rate>/s`, 300 ms per answer).
//  1. N verified members → "Run now" of digest.weekly (its event, as a cron tick would start it) →
//     wall time until the catcher has stored the last digest and until the last marker is recorded,
//     next to the floor N / (100 × share × rate); provider calls, 429s, duplicates; meanwhile a
//     sign-up every 2 s and its verification email's latency; peak RSS of the app and the engine.
//  2. A burst of sign-ups at once (POST /api/users): 429s, every email delivered, time vs burst/rate.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { exitOnSetupError } from "@signup-jobs/devkit";
import { isoWeek } from "../lib/schedules/definitions";
import { requireProductionBuild, startStack } from "./lib/stack";
import { pool } from "./lib/pool";
import { percentile } from "./lib/stats";
import { cliOptions, positiveNumber, wholeNumber } from "./lib/cli";

const PORTS = { app: 3200, engine: 8488, mail: 4210, pg: 54350 };
const { values } = cliOptions(
  "npm run bench -- digest [--members N] [--rate 2] [--share 0.5] [--burst 200] [--burst-concurrency 20] [--signup-every 2000]",
  {
    values: {
      members: wholeNumber(1).default(1000),
      // Requests per second: the catcher's limit, like the provider's.
      rate: wholeNumber(1).default(2),
      share: positiveNumber().max(1, { error: "must be at most 1" }).default(0.5),
      burst: wholeNumber(1).default(200),
      "signup-every": wholeNumber(1).default(2000),
      "burst-concurrency": wholeNumber(1).default(20),
    },
  },
  process.argv.slice(3), // after "digest"
);
const MEMBERS = values.members;
const RATE = values.rate;
const SHARE = values.share;
const BURST = values.burst;
const SIGNUP_EVERY_MS = values["signup-every"];
/** Sign-up requests in flight during the burst: all 200 at once overflow the app's database pool (P2028). */
const BURST_CONCURRENCY = values["burst-concurrency"];
requireProductionBuild("the bench measures the production server");

const pct = percentile;
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

const stack = await startStack({
  command: "npm run bench -- digest",
  mode: "start",
  appPort: PORTS.app,
  enginePort: PORTS.engine,
  mailPort: PORTS.mail,
  mailLatencyMs: 300,
  mailRateLimit: `${RATE}/s`,
  dataDir: ".data/bench-digest",
  fresh: true,
  pg: { dataDir: ".data/bench-digest/postgres", port: PORTS.pg, ephemeral: true },
  providerRequestsPerSecond: RATE,
  appEnv: { RESEND_BULK_SHARE: String(SHARE) },
  // Every sign-up comes from 127.0.0.1: the limits would stop the burst, not measure the pace.
  openLimits: "sign-up",
  quiet: true,
}).catch(exitOnSetupError);
const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
const mail = createMailCatcherClient(stack.mailUrl);

/** Each 429 with the requests around it: arrival at the catcher (answer time − its duration), status. */
async function explain429s() {
  const log = (await mail.requests()).map((r) => ({ arrived: Date.parse(r.at) - r.duration_ms, status: r.status, path: r.path }));
  log.sort((a, b) => a.arrived - b.arrived);
  for (const [i, r] of log.entries()) {
    if (r.status !== 429) continue;
    const around = log.slice(Math.max(0, i - 3), i + 2).map((x) => `${x.path} ${x.status} +${x.arrived - r.arrived} ms`);
    console.log(`  429 at ${new Date(r.arrived).toISOString()}: ${around.join(", ")}`);
  }
}

function watchRss() {
  const peak = { app: 0, engine: 0 };
  const sample = () => {
    peak.app = Math.max(peak.app, stack.control.rss("app") / 1024);
    peak.engine = Math.max(peak.engine, stack.control.rss("engine") / 1024);
  };
  sample();
  const timer = setInterval(sample, 500);
  return { peak, stop: () => (clearInterval(timer), sample(), peak) };
}

const post = (email: string) =>
  fetch(`${stack.appUrl}/api/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Bench Person", email, password: "long enough password" }) });

/**
 * Signs up and resolves with the time from the request to the verification email stored by the
 * catcher, or null when the sign-up itself was not accepted (counted apart: it sends nothing).
 */
async function signUpAndTime(email: string): Promise<number | null> {
  const started = Date.now();
  const response = await post(email);
  await response.text();
  if (response.status !== 202) {
    console.log(`  a sign-up during the digest answered ${response.status}`);
    return null;
  }
  const [message] = await mail.waitForMessages({ to: email, timeoutMs: 120_000 });
  return new Date(message!.created_at).getTime() - started;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return performance.now();
}

try {
  // Warm the production server's routes and the functions' first requests outside the measurement.
  if ((await signUpAndTime(`warm-${randomUUID()}@example.com`)) === null) throw new Error("the warm-up sign-up was not accepted");

  // --- 1. the digest ---------------------------------------------------------------------------------
  await db.query(
    `insert into users (id, email, name, password_hash, role, email_verified_at, created_at)
     select gen_random_uuid(), 'member-' || i || '-' || $2 || '@example.com', 'Member ' || i, 'x', 'USER', now(), now() - interval '30 days'
     from generate_series(1, $1::int) as i`,
    [MEMBERS, randomUUID().slice(0, 8)],
  );
  await mail.clearRequests();
  const week = isoWeek(new Date());
  const rss = watchRss();
  const tick = performance.now();
  const sent = await fetch(`${stack.engineUrl}/e/${stack.keys!.eventKey}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ name: "digest/weekly.requested", data: { requestedBy: "bench" } }]),
  });
  if (!sent.ok) throw new Error(`the engine refused the event: ${sent.status}`);

  // A sign-up every SIGNUP_EVERY_MS while the digest runs.
  const during: Promise<number | null>[] = [];
  let digestDone = false;
  const signUps = (async () => {
    while (!digestDone) {
      during.push(signUpAndTime(`during-${randomUUID()}@example.com`));
      await new Promise((resolve) => setTimeout(resolve, SIGNUP_EVERY_MS));
    }
  })();

  const stored = await until(async () => (await mail.counters()).byEndpoint["POST /emails/batch"].emailsAccepted >= MEMBERS, "every digest stored", 3_600_000);
  const recorded = await until(
    async () => Number((await db.query<{ n: string }>("select count(*) as n from email_deliveries where kind = $1", [`digest:${week}`])).rows[0]!.n) >= MEMBERS,
    "every marker recorded",
    600_000,
  );
  digestDone = true;
  await signUps;
  const answered = await Promise.all(during);
  const latencies = answered.filter((ms): ms is number => ms !== null);
  const digestRss = rss.stop();
  const counters = await mail.counters();
  const digestMessages = (await mail.messages()).filter((m) => m.to.some((to) => to.startsWith("member-")));
  const recipients = new Set(digestMessages.flatMap((m) => m.to));
  const floor = MEMBERS / (100 * SHARE * RATE);
  const wall = (stored - tick) / 1000;
  const batchCalls = counters.byEndpoint["POST /emails/batch"].calls;

  console.log(`\n## Digest to ${MEMBERS.toLocaleString("en")} members at ${RATE} requests/s, bulk share ${SHARE}`);
  console.log(`| figure | measured | target |`);
  console.log(`|---|---|---|`);
  console.log(`| event → last digest stored by the catcher | ${wall.toFixed(1)} s (${(wall / floor).toFixed(2)} × the floor ${floor.toFixed(1)} s) | ≤ 1.2 × floor |`);
  console.log(`| event → last marker recorded | ${((recorded - tick) / 1000).toFixed(1)} s | |`);
  console.log(`| batch calls (POST /emails/batch) | ${batchCalls} | ≤ ${Math.ceil(MEMBERS / 100 + MEMBERS / 10_000)} (members/100 + 1 %) |`);
  console.log(`| all provider calls (batches + the sign-ups' single sends) | ${counters.calls} | |`);
  console.log(`| 429 answers | ${counters.status429} | 0 |`);
  console.log(`| digests stored / distinct members reached / duplicates | ${digestMessages.length} / ${recipients.size} / ${digestMessages.length - recipients.size} | duplicates 0 |`);
  console.log(`| verification email latency during the digest (${latencies.length} of ${answered.length} sign-ups accepted, one per ${SIGNUP_EVERY_MS / 1000} s) | p50 ${s1(pct(latencies, 50))} · p95 ${s1(pct(latencies, 95))} · max ${s1(Math.max(...latencies))} | p95 ≤ 5 s |`);
  console.log(`| peak RSS, app (next start) / engine | ${mb(digestRss.app)} / ${mb(digestRss.engine)} | flat as members grow |`);
  await explain429s();

  // --- 2. a burst of sign-ups ------------------------------------------------------------------------
  if (BURST > 0) {
    await mail.clearRequests();
    const burstRss = watchRss();
    const emails = Array.from({ length: BURST }, () => `burst-${randomUUID()}@example.com`);
    const started = performance.now();
    const answers: number[] = [];
    await pool(emails, BURST_CONCURRENCY, async (email) => {
      const response = await post(email);
      await response.text();
      answers.push(response.status);
    });
    const accepted = answers.filter((s) => s === 202).length;
    const lastStored = await until(async () => (await mail.counters()).byEndpoint["POST /emails"].emailsAccepted >= accepted, `${accepted} verification emails`, 1_800_000);
    const peak = burstRss.stop();
    const burstCounters = await mail.counters();
    let delivered = 0;
    for (const email of emails) delivered += (await mail.messages({ to: email })).length === 1 ? 1 : 0;
    const elapsed = (lastStored - started) / 1000;
    console.log(`\n## Burst of ${BURST} sign-ups at once (POST /api/users), ${RATE} requests/s`);
    console.log(`| figure | measured | target |`);
    console.log(`|---|---|---|`);
    console.log(`| answered 202 (${BURST_CONCURRENCY} requests in flight) | ${accepted} / ${BURST} | all |`);
    console.log(`| verification emails delivered (exactly one each) | ${delivered} / ${BURST} | all |`);
    console.log(`| 429 answers | ${burstCounters.status429} | 0 |`);
    console.log(`| first request → last email stored | ${elapsed.toFixed(1)} s (${BURST} / rate = ${(BURST / RATE).toFixed(0)} s) | ≈ burst / rate |`);
    console.log(`| peak RSS, app / engine | ${mb(peak.app)} / ${mb(peak.engine)} | |`);
    await explain429s();
  }
} finally {
  await db.end();
  await stack.stop();
}
process.exit(0);
