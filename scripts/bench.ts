// npm run bench: timing figures the tests do not assert (machines differ). Needs `npm run build`.
//  1. Password hashing alone, in this process: argon2id at today's parameters, and the scrypt the
//     app used before (for comparison), mean of 10 each.
//  2. POST /api/users under `next start` while the mail catcher answers in 300 ms like a real
//     provider: the 202 must not wait for it. A new address and one that has an account, side by
//     side (they must cost the same), with the server's own split: hashing, and the rest of the
//     request path (Server-Timing). Also how long until the verification email arrives.
//  3. Every admin page at N dead letters (default 100,000; `--size 1000000` for the full run):
//     whole-page time per page and filter, the list query and the counts in PostgreSQL.
//
//   npm run bench -- [--size N] [--signups N] [--pages-only]
//   npm run bench -- digest [--members N] …   the weekly digest at the provider's pace (scripts/bench-digest.ts)
import { randomBytes, randomUUID, scrypt } from "node:crypto";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { hashToken, newSessionToken } from "../lib/accounts/session-tokens";
import { hashPassword } from "../lib/accounts/password";
import { SEED_USERS, seedAuditLog, seedDeadLetters } from "./lib/seed-dead-letters";
import { requireProductionBuild, startStack } from "./lib/stack";
import { percentile } from "./lib/stats";
import { exitOnSetupError } from "@signup-jobs/devkit";
import { cliOptions, wholeNumber } from "./lib/cli";

const PORTS = { app: 3200, engine: 8488, mail: 4210, pg: 54350 };
if (process.argv[2] === "digest") {
  await import("./bench-digest"); // takes its own options and runs to its own exit
}
const { values, flags } = cliOptions("npm run bench -- [--size N] [--signups N] [--pages-only]  |  npm run bench -- digest [options]", {
  values: { size: wholeNumber(1000).default(100_000), signups: wholeNumber(1).default(100) },
  flags: ["pages-only"],
});
const SIGNUPS = values.signups;
const DEAD_LETTERS = values.size;
const PAGES_ONLY = flags["pages-only"];

const pct = percentile;
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

requireProductionBuild("the bench measures the production server");
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
  // Every request here comes from 127.0.0.1 and many reuse an address: the limits would stop the
  // bench, not measure the request path.
  openLimits: "sign-up",
  quiet: true,
}).catch(exitOnSetupError);
const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
const mail = createMailCatcherClient(stack.mailUrl);

try {
  if (!PAGES_ONLY) await signUpLatency();
  await adminPages();
} finally {
  await db.end();
  await stack.stop();
}
process.exit(0);

async function signUpLatency() {
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
}

async function adminPages() {
  // --- 3. every admin page at N dead letters -----------------------------------------------------
  const seedStarted = performance.now();
  await seedDeadLetters(stack.databaseUrl, DEAD_LETTERS);
  await seedAuditLog(stack.databaseUrl, Math.round(DEAD_LETTERS / 10));
  console.log(`seeded ${DEAD_LETTERS.toLocaleString("en")} dead letters (${SEED_USERS.toLocaleString("en")} users, ${Math.round(DEAD_LETTERS / 10).toLocaleString("en")} audit entries) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const admin = await db.query<{ id: string }>(
    "insert into users (id, email, name, password_hash, role, email_verified_at) values (gen_random_uuid(), $1, 'Bench Admin', 'x', 'ADMIN', now()) returning id",
    [`bench-admin-${randomUUID()}@example.com`],
  );
  const token = newSessionToken();
  await db.query("insert into sessions (id, token_hash, user_id, expires_at) values (gen_random_uuid(), $1, $2, now() + interval '1 hour')", [hashToken(token), admin.rows[0]!.id]);
  const get = (path: string) => fetch(`${stack.appUrl}${path}`, { headers: { cookie: `session=${token}` } });

  const cursorOf = async (path: string) => /cursor=([\w-]+)/.exec(await (await get(path)).text())?.[1] ?? "";
  const page2 = await cursorOf("/admin/dead-letters?status=RESOLVED");
  const group = (await db.query<{ group_key: string }>("select group_key from dead_letter_groups order by open_count desc limit 1")).rows[0]!.group_key;
  const letter = (await db.query<{ id: string }>("select id from dead_letter_jobs where status = 'OPEN' order by last_failed_at desc limit 1")).rows[0]!.id;
  const user = (await db.query<{ id: string }>("select id from users where email = 'seed-user-42@example.com'")).rows[0]!.id;
  const day = new Date(Date.now() - 86_400_000).toISOString();
  const pages: [string, string][] = [
    ["overview", "/admin"],
    ["dead letters: Open tab (default)", "/admin/dead-letters"],
    ["dead letters: All tab", "/admin/dead-letters?status=ALL"],
    ["dead letters: Resolved, page 2 (keyset)", `/admin/dead-letters?status=RESOLVED&cursor=${page2}`],
    ["dead letters: function + Open", "/admin/dead-letters?functionId=signup-app-user.welcome-email"],
    ["dead letters: one error group", `/admin/dead-letters?group=${group}`],
    ["dead letters: one user's (All)", `/admin/dead-letters?status=ALL&userId=${user}`],
    ["dead letters: error text “corrupt header”", "/admin/dead-letters?q=corrupt%20header"],
    ["dead letters: error text, rare (“#99999)”)", "/admin/dead-letters?status=ALL&q=%2399999)"],
    ["dead letters: last 24 h", `/admin/dead-letters?from=${encodeURIComponent(day)}`],
    ["dead letters: grouped, Open", "/admin/dead-letters?view=groups"],
    ["dead letters: grouped, All", "/admin/dead-letters?view=groups&status=ALL"],
    ["dead letters: grouped, last 24 h", `/admin/dead-letters?view=groups&from=${encodeURIComponent(day)}`],
    ["dead letter detail", `/admin/dead-letters/${letter}`],
    ["bulk confirm: retry all Open", "/admin/dead-letters/bulk?kind=retry"],
    ["bulk confirm: retry one group", `/admin/dead-letters/bulk?kind=retry&group=${group}`],
    ["bulk confirm: resolve, error text", "/admin/dead-letters/bulk?kind=resolve&q=corrupt%20header"],
    ["audit log", "/admin/audit"],
    ["audit log: by action", "/admin/audit?action=dead_letter.resolve"],
    ["audit log: by actor", "/admin/audit?actor=admin-3%40example.com"],
    ["users", "/admin/users"],
    ["users: search", "/admin/users?q=user-42"],
    ["user page", `/admin/users/${user}`],
    ["schedules", "/admin/schedules"],
  ];
  const table: string[] = [`| page (${DEAD_LETTERS.toLocaleString("en")} dead letters) | p50 ms | p95 ms | max ms | KB |`, "|---|---:|---:|---:|---:|"];
  for (const [label, path] of pages) {
    const samples: number[] = [];
    let bytes = 0;
    // 3 warm-up requests, then 40 measured: with 20 the "p95" was simply the slowest one.
    for (let i = 0; i < 43; i++) {
      const started = performance.now();
      const response = await get(path);
      bytes = (await response.text()).length;
      if (response.status !== 200) throw new Error(`${label}: ${response.status}`);
      if (i >= 3) samples.push(performance.now() - started);
    }
    console.log(`${label}: ${fmt(samples)} · ${(bytes / 1024).toFixed(0)} KB`);
    table.push(`| ${label} | ${pct(samples, 50).toFixed(1)} | ${pct(samples, 95).toFixed(1)} | ${Math.max(...samples).toFixed(1)} | ${(bytes / 1024).toFixed(0)} |`);
  }

  // The queries alone, as the pages run them (EXPLAIN ANALYZE reports server-side execution).
  const explain = async (sql: string, params: unknown[] = []) => {
    const plan = await db.query(`explain (analyze, format json) ${sql}`, params);
    return (plan.rows[0] as { "QUERY PLAN": { "Execution Time": number }[] })["QUERY PLAN"][0]!["Execution Time"].toFixed(2);
  };
  const list = "select id from dead_letter_jobs where";
  const order = "order by last_failed_at desc, id desc limit 51";
  const queries: [string, string, unknown[]][] = [
    ["list: Open tab", `${list} status = 'OPEN' ${order}`, []],
    ["list: All tab", `select id from dead_letter_jobs ${order}`, []],
    ["list: error text", `${list} status = 'OPEN' and (error_message ilike '%corrupt header%' or error_name ilike '%corrupt header%') ${order}`, []],
    ["list: function + status", `${list} function_id = 'signup-app-user.welcome-email' and status = 'OPEN' ${order}`, []],
    ["list: one group", `${list} group_key = $1 and status = 'OPEN' ${order}`, [group]],
    ["list: one user", `${list} subject_user_id = $1 ${order}`, [user]],
    ["tab counts (counters: dead_letter_groups)", "select sum(open_count), sum(retrying_count), sum(resolved_count) from dead_letter_groups", []],
    ["tab counts, error text (capped at 10,001 per status)", "select count(*) from (select 1 from dead_letter_jobs where status = 'OPEN' and (error_message ilike '%corrupt header%' or error_name ilike '%corrupt header%') limit 10001) c", []],
    ["exact count, status=OPEN (what the counters replace)", "select count(*) from dead_letter_jobs where status = 'OPEN'", []],
    ["overview series (counters: dead_letter_daily)", "select * from dead_letter_daily where day >= current_date - 13", []],
  ];
  table.push("", "| query in PostgreSQL | execution ms |", "|---|---:|");
  const plans: string[] = [];
  for (const [label, sql, params] of queries) {
    const ms = await explain(sql, params);
    const text = await db.query(`explain (analyze, buffers) ${sql}`, params);
    plans.push(`-- ${label}\n${text.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n")}\n`);
    console.log(`${label}: ${ms} ms execution in PostgreSQL`);
    table.push(`| ${label} | ${ms} |`);
  }
  fs.writeFileSync(`.data/bench-plans-${DEAD_LETTERS}.txt`, plans.join("\n"));
  console.log(`\n${table.join("\n")}\n\n(query plans: .data/bench-plans-${DEAD_LETTERS}.txt)`);
}
