// npm run bench: timing figures the tests do not assert (machines differ). Needs `npm run build`.
//  1. POST /api/users under `next start` while the mail catcher answers in 300 ms like a real
//     provider: the 202 must not wait for it. Also how long until the welcome email arrives.
//  2. The dead-letter list at 100,000 rows: query time and whole-page server time per filter.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { hashToken, newSessionToken } from "../lib/accounts/session-tokens";
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
}).catch(exitOnSetupError);
const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
const mail = createMailCatcherClient(stack.mailUrl);

try {
  // --- 1. sign-up latency ---------------------------------------------------------------------
  const warm = async () => fetch(`${stack.appUrl}/api/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Warm", email: `warm-${randomUUID()}@example.com`, password: "long enough password" }) });
  for (let i = 0; i < 10; i++) await warm();

  // Quiet: one sign-up at a time, the next only after the previous email arrived, so the request
  // path is measured without the app also running earlier sign-ups' background steps.
  const quiet: number[] = [];
  const quietServer: number[] = [];
  for (let i = 0; i < 20; i++) {
    const email = `quiet-${randomUUID()}@example.com`;
    const started = performance.now();
    const response = await fetch(`${stack.appUrl}/api/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Quiet Person", email, password: "long enough password" }) });
    quiet.push(performance.now() - started);
    quietServer.push(Number(/dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "")?.[1] ?? NaN));
    await response.text();
    await mail.waitForMessages({ to: email, timeoutMs: 30_000 });
  }
  console.log(`POST /api/users → 202, one at a time: client ${fmt(quiet)}; server ${fmt(quietServer)}`);

  const latencies: number[] = [];
  const accepted: { email: string; at: number }[] = [];
  for (let i = 0; i < SIGNUPS; i++) {
    const email = `bench-${randomUUID()}@example.com`;
    const started = performance.now();
    const response = await fetch(`${stack.appUrl}/api/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Bench Person", email, password: "long enough password" }),
    });
    latencies.push(performance.now() - started);
    if (response.status !== 202) throw new Error(`sign-up answered ${response.status}`);
    accepted.push({ email, at: Date.now() });
  }
  console.log(`POST /api/users → 202, back to back (background work of earlier sign-ups running): ${fmt(latencies)}`);

  const arrivals: number[] = [];
  for (const { email, at } of accepted) {
    const [message] = await mail.waitForMessages({ to: email, timeoutMs: 60_000 });
    arrivals.push(new Date(message!.created_at).getTime() - at);
  }
  console.log(`202 → welcome email stored by the catcher: ${fmt(arrivals)}`);

  // --- 2. dead letters at 100k ------------------------------------------------------------------
  const seedStarted = performance.now();
  await seedDeadLetters(stack.databaseUrl, DEAD_LETTERS);
  console.log(`seeded ${DEAD_LETTERS} dead letters in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const admin = await db.query<{ id: string }>(
    "insert into users (id, email, name, password_hash, role) values (gen_random_uuid(), $1, 'Bench Admin', 'x', 'ADMIN') returning id",
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
