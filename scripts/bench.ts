// npm run bench: timing figures the tests do not assert (machines differ). Needs `npm run build`.
//  1. Password hashing alone, in this process: argon2id at today's parameters, and the scrypt the
//     app used before (for comparison), mean of 10 each.
//  2. POST /api/users under `next start` while the mail catcher answers in 300 ms like a real
//     provider: the 202 must not wait for it. A new address and one that has an account, side by
//     side (they must cost the same), with the server's own split: hashing, and the rest of the
//     request path (Server-Timing). Also how long until the verification email arrives.
//  3. The dead-letter list at 100,000 rows: query time and whole-page server time per filter.
import { randomBytes, randomUUID, scrypt } from "node:crypto";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { hashToken, newSessionToken } from "../lib/accounts/session-tokens";
import { hashPassword } from "../lib/accounts/password";
import { seedDeadLetters } from "./lib/seed-dead-letters";
import { startStack } from "./lib/stack";
import { exitOnSetupError } from "@signup-jobs/devkit";

const PORTS = { app: 3200, engine: 8488, mail: 4210, pg: 54350 };
const SIGNUPS = Number(process.argv[2] ?? 100);
const DEAD_LETTERS = 100_000;

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const fmt = (values: number[]) => `p50 ${pct(values, 50).toFixed(1)} ms · p95 ${pct(values, 95).toFixed(1)} ms · max ${Math.max(...values).toFixed(1)} ms (n=${values.length})`;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const timing = (response: Response, name: string) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(response.headers.get("server-timing") ?? "")?.[1] ?? NaN);

// --- 1. hashing alone -----------------------------------------------------------------------------
async function timeEach(n: number, work: () => Promise<unknown>): Promise<number[]> {
  await work(); // warm-up: thread pool, first allocation
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return samples;
}
const oldScrypt = () =>
  new Promise((resolve, reject) => scrypt("correct horse battery", randomBytes(16), 64, { N: 16_384, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key))));
const argon = await timeEach(10, () => hashPassword("correct horse battery"));
const scryptOld = await timeEach(10, oldScrypt);
console.log(`password hash, argon2id m=19 MiB t=2 p=1 (today): mean ${mean(argon).toFixed(1)} ms · ${fmt(argon)}`);
console.log(`password hash, scrypt N=2^14 r=8 p=1 (before, for comparison): mean ${mean(scryptOld).toFixed(1)} ms · ${fmt(scryptOld)}`);

if (!fs.existsSync(".next/BUILD_ID")) {
  console.error("Run `npm run build` first: the bench measures the production server.");
  process.exit(2);
}
const stack = await startStack({
  command: "npm run bench",
  mode: "start",
  appPort: PORTS.app,
  enginePort: PORTS.engine,
  mailPort: PORTS.mail,
  mailLatencyMs: 300,
  dataDir: ".data/bench",
  fresh: true,
  pg: { dataDir: ".data/bench/postgres", port: PORTS.pg, ephemeral: true },
  quiet: true,
  // Every request here comes from 127.0.0.1 and many reuse an address: the limits would stop the
  // bench, not measure the request path.
  appEnv: { RATE_LIMIT_SIGN_UP_PER_CLIENT: "1000000/1h", RATE_LIMIT_SIGN_UP_GLOBAL: "1000000/1h", RATE_LIMIT_SIGN_UP_EMAIL_PER_ADDRESS: "1000000/1h" },
}).catch(exitOnSetupError);
const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
const mail = createMailCatcherClient(stack.mailUrl);

try {
  // --- 2. sign-up latency --------------------------------------------------------------------------
  const post = (email: string) =>
    fetch(`${stack.appUrl}/api/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Bench Person", email, password: "long enough password" }) });
  for (let i = 0; i < 10; i++) await (await post(`warm-${randomUUID()}@example.com`)).text();

  // Owners of existing addresses (verified, as members are).
  const owners: string[] = [];
  for (let i = 0; i < 20; i++) {
    const email = `owner-${randomUUID()}@example.com`;
    await db.query("insert into users (id, email, name, password_hash, role, email_verified_at) values (gen_random_uuid(), $1, 'Owner', 'x', 'USER', now())", [email]);
    owners.push(email);
  }

  // Quiet: one sign-up at a time, alternating a new address and an existing one, the next only
  // after the previous email arrived, so the request path is measured without the app also
  // running earlier sign-ups' background steps.
  const quiet = { new: [] as number[], existing: [] as number[] };
  const hash = { new: [] as number[], existing: [] as number[] };
  const rest = { new: [] as number[], existing: [] as number[] };
  for (let i = 0; i < 20; i++) {
    for (const kind of ["new", "existing"] as const) {
      const email = kind === "new" ? `quiet-${randomUUID()}@example.com` : owners[i]!;
      const started = performance.now();
      const response = await post(email);
      quiet[kind].push(performance.now() - started);
      if (response.status !== 202) throw new Error(`sign-up answered ${response.status}`);
      hash[kind].push(timing(response, "hash"));
      rest[kind].push(timing(response, "app") - timing(response, "hash"));
      await response.text();
      await mail.waitForMessages({ to: email, timeoutMs: 30_000 });
    }
  }
  for (const kind of ["new", "existing"] as const) {
    console.log(`POST /api/users → 202, ${kind} address, one at a time: client ${fmt(quiet[kind])}`);
    console.log(`  server: hashing ${fmt(hash[kind])}; the rest of the request path ${fmt(rest[kind])}`);
  }
  console.log(`  new − existing, client p50: ${(pct(quiet.new, 50) - pct(quiet.existing, 50)).toFixed(1)} ms`);

  const latencies: number[] = [];
  const accepted: { email: string; at: number }[] = [];
  for (let i = 0; i < SIGNUPS; i++) {
    const email = `bench-${randomUUID()}@example.com`;
    const started = performance.now();
    const response = await post(email);
    latencies.push(performance.now() - started);
    if (response.status !== 202) throw new Error(`sign-up answered ${response.status}`);
    await response.text();
    accepted.push({ email, at: Date.now() });
  }
  console.log(`POST /api/users → 202, back to back (background work of earlier sign-ups running): ${fmt(latencies)}`);

  const arrivals: number[] = [];
  for (const { email, at } of accepted) {
    const [message] = await mail.waitForMessages({ to: email, timeoutMs: 60_000 });
    arrivals.push(new Date(message!.created_at).getTime() - at);
  }
  console.log(`202 → verification email stored by the catcher: ${fmt(arrivals)}`);

  // --- 3. dead letters at 100k ------------------------------------------------------------------
  const seedStarted = performance.now();
  await seedDeadLetters(stack.databaseUrl, DEAD_LETTERS);
  console.log(`seeded ${DEAD_LETTERS} dead letters in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const admin = await db.query<{ id: string }>(
    "insert into users (id, email, name, password_hash, role, email_verified_at) values (gen_random_uuid(), $1, 'Bench Admin', 'x', 'ADMIN', now()) returning id",
    [`bench-admin-${randomUUID()}@example.com`],
  );
  const token = newSessionToken();
  await db.query("insert into sessions (id, token_hash, user_id, expires_at) values (gen_random_uuid(), $1, $2, now() + interval '1 hour')", [hashToken(token), admin.rows[0]!.id]);

  const page2 = await (async () => {
    const html = await (await fetch(`${stack.appUrl}/admin/dead-letters?status=OPEN`, { headers: { cookie: `session=${token}` } })).text();
    return /cursor=([\w-]+)/.exec(html)?.[1] ?? "";
  })();
  const filters: [string, string][] = [
    ["no filter", ""],
    ["status=OPEN", "status=OPEN"],
    ["status=OPEN, page 2 (keyset)", `status=OPEN&cursor=${page2}`],
    ["function + status", "functionId=signup-app-user.welcome-email&status=OPEN"],
    ["error text “corrupt header”", "q=corrupt%20header"],
    ["error text, rare (“#99999)”)", "q=%2399999)"],
    ["last 24 h", `from=${new Date(Date.now() - 86_400_000).toISOString()}`],
  ];
  for (const [label, query] of filters) {
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) {
      const started = performance.now();
      const response = await fetch(`${stack.appUrl}/admin/dead-letters?${query}`, { headers: { cookie: `session=${token}` } });
      await response.text();
      if (response.status !== 200) throw new Error(`${label}: ${response.status}`);
      if (i >= 2) samples.push(performance.now() - started);
    }
    const timing = await (await fetch(`${stack.appUrl}/admin/dead-letters?${query}`, { headers: { cookie: `session=${token}` } })).headers.get("server-timing");
    console.log(`/admin/dead-letters?${label}: whole page ${fmt(samples)}${timing ? ` · ${timing}` : ""}`);
  }
  // The list query alone, as the page runs it (EXPLAIN ANALYZE reports server-side execution).
  for (const [label, where] of [
    ["status=OPEN", `status = 'OPEN'`],
    ["error text", `(error_message ilike '%corrupt header%' or error_name ilike '%corrupt header%')`],
    ["function + status", `function_id = 'signup-app-user.welcome-email' and status = 'OPEN'`],
  ] as const) {
    const plan = await db.query(`explain (analyze, format json) select id from dead_letter_jobs where ${where} order by last_failed_at desc, id desc limit 51`);
    const p = (plan.rows[0] as { "QUERY PLAN": { "Execution Time": number }[] })["QUERY PLAN"][0]!;
    console.log(`list query (${label}): ${p["Execution Time"].toFixed(2)} ms execution in PostgreSQL`);
  }
  const count = await db.query("explain (analyze, format json) select count(*) from dead_letter_jobs where status = 'OPEN'");
  console.log(`count for "retry all matching" (status=OPEN): ${(count.rows[0] as { "QUERY PLAN": { "Execution Time": number }[] })["QUERY PLAN"][0]!["Execution Time"].toFixed(2)} ms`);
} finally {
  await db.end();
  await stack.stop();
}
process.exit(0);
