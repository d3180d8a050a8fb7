// `npm run bench:engine [-- --fsync off] [--events 2000] [--repeat 3] [--checkpoint] [--app-instances N] [--latency-gap ms]`:
// embedded PostgreSQL in a temp dir, the engine in this process, the SDK app in child processes (one
// per core by default, node:cluster). Per run it prints event →
// first step start p50/p95 (light load), sustained step executions per second against the SDK-bound
// ceiling (cores / SDK CPU per step), CPU per step of the SDK app, the engine and PostgreSQL, and SQL
// statements and durable commits per step; with --repeat N (default 3, each on a fresh cluster) the
// medians too, since a shared machine is noisy.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEngine } from "../index";
import { dbStats } from "../src/db";
import { freePort, runMain, startEmbeddedPostgres } from "@signup-jobs/devkit";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    fsync: { type: "string", default: "on" },
    events: { type: "string", default: "2000" },
    latency: { type: "string", default: "200" },
    // The light load of the latency phase: this long between one event's acknowledgement and the next send.
    "latency-gap": { type: "string", default: "10" },
    workers: { type: "string", default: "32" },
    checkpoint: { type: "boolean", default: false },
    repeat: { type: "string", default: "3" },
    // SDK app processes (node:cluster, one port); the ceiling assumes the SDK can use every core.
    "app-instances": { type: "string", default: String(os.availableParallelism()) },
    // Diagnostics: load pg_stat_statements and print the statements by PostgreSQL time (adds a
    // little PostgreSQL CPU of its own; not for the reported figures).
    pgss: { type: "boolean", default: false },
  },
});
const fsyncOn = values.fsync !== "off";
const total = Number(values.events);
const latencySamples = Number(values.latency);
const latencyGapMs = Number(values["latency-gap"]);

const now = () => performance.timeOrigin + performance.now();
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** CPU seconds (user+system) of a process and its descendants, from /proc (Linux only). */
function cpuSeconds(rootPid: number, exclude: number[] = []): number {
  const tick = 100; // USER_HZ on Linux
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) / tick);
    } catch {
      // process ended while reading
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, i = 0; p > 1 && i < 50; p = parents.get(p) ?? 0, i++) {
      if (exclude.includes(p)) return false;
      if (p === rootPid) return true;
    }
    return false;
  };
  let total = 0;
  for (const [pid, s] of cpu) if (inTree(pid)) total += s;
  return total;
}

type Result = {
  p50: number;
  p95: number;
  stepsPerSec: number;
  ceiling: number;
  /** cores / (SDK + engine + PostgreSQL CPU per step): the most the whole stack could do here. */
  stackCeiling: number;
  sdkMs: number;
  engineMs: number;
  pgMs: number;
  statements: number;
  durableCommits: number;
  pgXacts: number;
  walSyncs: number;
  load: [number, number];
};

async function runOnce(): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-bench-"));
  const pgPort = await freePort();
  const server = await startEmbeddedPostgres({
    dataDir: dir,
    port: pgPort,
    ephemeral: true,
    settings: {
      ...(fsyncOn ? { fsync: "on", synchronous_commit: "on", full_page_writes: "on" } : {}),
      ...(values.pgss ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track_planning": "on", "pg_stat_statements.track_utility": "on" } : {}),
    },
  });
  const base = `postgresql://postgres:postgres@127.0.0.1:${pgPort}/`;
  const admin = new pg.Client({ connectionString: `${base}postgres` });
  await admin.connect();
  await admin.query("create database engine_bench");
  await admin.end();
  const databaseUrl = `${base}engine_bench`;
  if (values.pgss) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query("create extension pg_stat_statements");
    await c.end();
  }

  const engine = await startEngine({
    databaseUrl,
    port: 0,
    log: "silent",
    workers: Number(values.workers),
    checkpoint: values.checkpoint,
  });
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "app.ts"), engine.url, "--instances", values["app-instances"]], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const appUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      const m = /ready (\S+)/.exec(d.toString());
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", () => reject(new Error("bench app exited")));
  });
  await engine.syncApp(appUrl);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const completed = async () =>
    ((await db.query("select count(*)::int as n from runs where status = 'completed'")).rows[0] as { n: number }).n;
  const send = (events: unknown[]) =>
    fetch(`${engine.url}/e/bench`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(events) }).then((r) => r.json());
  const waitCompleted = async (n: number) => {
    while ((await completed()) < n) await new Promise((r) => setTimeout(r, 100));
  };

  // Warm-up: connections, JIT, the SDK's first-request work.
  await send(Array.from({ length: 50 }, () => ({ name: "bench/go", data: { sentAt: now() } })));
  await waitCompleted(50);
  let done = 50;

  // 1) Latency under light load: one event at a time, 10 ms apart (--latency-gap), each from a fresh send.
  for (let i = 0; i < latencySamples; i++) {
    await send([{ name: "bench/go", data: { sentAt: now() } }]);
    await new Promise((r) => setTimeout(r, latencyGapMs));
  }
  done += latencySamples;
  await waitCompleted(done);
  const lat = await db.query<{ l: number }>(
    "select (output->>'latency')::float8 as l from runs where status = 'completed' order by created_at desc limit $1",
    [latencySamples],
  );
  const latencies = lat.rows.map((r) => r.l);

  // 2) Throughput: `total` runs (2 steps each) sent in batches of 100 as fast as the API takes them.
  const childPid = child.pid ?? -1;
  const pgCounters = async () => {
    const r = await db.query<{ x: number; w: number }>(
      `select (select xact_commit from pg_stat_database where datname = current_database())::float8 as x,
              (select wal_sync from pg_stat_wal)::float8 as w`,
    );
    return r.rows[0] ?? { x: 0, w: 0 };
  };
  let polls = 0;
  if (values.pgss) await db.query("select pg_stat_statements_reset()");
  const stats0 = { ...dbStats, pg: await pgCounters() };
  const load0 = os.loadavg()[0] ?? 0;
  const cpu0 = { engine: process.cpuUsage(), app: cpuSeconds(childPid), pg: cpuSeconds(process.pid, [childPid]) };
  const t0 = now();
  for (let i = 0; i < total; i += 100) {
    await send(Array.from({ length: Math.min(100, total - i) }, () => ({ name: "bench/go", data: { sentAt: now() } })));
  }
  const tSent = now();
  done += total;
  while ((await completed()) < done) {
    polls++;
    await new Promise((r) => setTimeout(r, 100));
  }
  const elapsed = (now() - t0) / 1000;
  const engineCpu = process.cpuUsage(cpu0.engine);
  const pg1 = await pgCounters();
  const steps = total * 2;
  const counts = {
    statements: (dbStats.statements - stats0.statements) / steps,
    durableCommits: (dbStats.durableCommits - stats0.durableCommits) / steps,
    // This bench's own polling (one transaction each, plus the two counter reads) is subtracted.
    pgXacts: (pg1.x - stats0.pg.x - polls - 2) / steps,
    walSyncs: (pg1.w - stats0.pg.w) / steps,
  };
  const cpu = {
    engine: (engineCpu.user + engineCpu.system) / 1e6,
    app: cpuSeconds(childPid) - cpu0.app,
    // The tree under this process minus the app is PostgreSQL plus this process itself.
    pg: cpuSeconds(process.pid, [childPid]) - cpu0.pg - (engineCpu.user + engineCpu.system) / 1e6,
  };

  if (values.pgss) {
    const top = await db.query<{ calls: number; plans: number; plan: number; exec: number; query: string }>(
      `select calls::int, plans::int, total_plan_time as plan, total_exec_time as exec, regexp_replace(query, '\\s+', ' ', 'g') as query
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by total_plan_time + total_exec_time desc limit 15`,
    );
    for (const t of top.rows) {
      process.stdout.write(
        `pgss ${((t.plan + t.exec) / (total * 2)).toFixed(3)} ms/step (plan ${t.plan.toFixed(0)} ms in ${t.plans} plannings, exec ${t.exec.toFixed(0)} ms, ${(t.calls / (total * 2)).toFixed(2)} calls/step): ${t.query.slice(0, 140)}\n`,
      );
    }
  }
  const cpus = os.cpus().length;
  const per = (sec: number) => (sec * 1000) / steps;
  const result: Result = {
    p50: pct(latencies, 50),
    p95: pct(latencies, 95),
    stepsPerSec: steps / elapsed,
    ceiling: cpus / (per(cpu.app) / 1000),
    stackCeiling: cpus / ((per(cpu.app) + per(cpu.engine) + per(cpu.pg)) / 1000),
    sdkMs: per(cpu.app),
    engineMs: per(cpu.engine),
    pgMs: per(cpu.pg),
    ...counts,
    load: [load0, os.loadavg()[0] ?? 0],
  };
  const ratio = (result.engineMs + result.pgMs) / result.sdkMs;
  process.stdout.write(
    [
      `engine bench — ${cpus} cores, PostgreSQL fsync=${fsyncOn ? "on" : "off"}, synchronous_commit=${fsyncOn ? "on" : "off"}, workers=${values.workers}, checkpoint=${values.checkpoint ? "on" : "off"}, SDK app processes=${values["app-instances"]}`,
      `event → first step start (light load: ${latencyGapMs} ms between sends, n=${latencies.length}): p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, max ${pct(latencies, 100).toFixed(1)} ms`,
      `throughput: ${total} runs × 2 steps in ${elapsed.toFixed(2)} s → ${result.stepsPerSec.toFixed(0)} steps/s (${(total / elapsed).toFixed(0)} runs/s; events accepted in ${((tSent - t0) / 1000).toFixed(2)} s); SDK-bound ceiling ${result.ceiling.toFixed(0)} steps/s → ${((100 * result.stepsPerSec) / result.ceiling).toFixed(0)} %; stack-bound ceiling (the cores / everyone's CPU per step) ${result.stackCeiling.toFixed(0)} steps/s → ${((100 * result.stepsPerSec) / result.stackCeiling).toFixed(0)} %`,
      `CPU per step (throughput phase, ${(elapsed * cpus).toFixed(1)} core-s available): SDK app ${result.sdkMs.toFixed(2)} ms, engine ${result.engineMs.toFixed(2)} ms, PostgreSQL ${result.pgMs.toFixed(2)} ms → (engine + PostgreSQL) / SDK = ${ratio.toFixed(2)}`,
      `per step: ${counts.statements.toFixed(2)} SQL statements, ${counts.durableCommits.toFixed(2)} durable commits (engine-side count); PostgreSQL: ${counts.pgXacts.toFixed(2)} transactions, ${counts.walSyncs.toFixed(2)} WAL flushes; load average ${result.load[0].toFixed(1)} → ${result.load[1].toFixed(1)}`,
    ].join("\n") + "\n",
  );

  await db.end();
  child.kill("SIGTERM");
  await engine.stop();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

async function main() {
  const n = Math.max(1, Number(values.repeat));
  const results: Result[] = [];
  for (let i = 0; i < n; i++) {
    if (n > 1) process.stdout.write(`— run ${i + 1}/${n}\n`);
    results.push(await runOnce());
  }
  if (n === 1) return;
  const med = (f: (r: Result) => number) => {
    const xs = results.map(f).sort((a, b) => a - b);
    const m = Math.floor(xs.length / 2);
    return xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
  };
  const ratio = (r: Result) => (r.engineMs + r.pgMs) / r.sdkMs;
  process.stdout.write(
    [
      `medians of ${n} runs:`,
      `  event → first step (${latencyGapMs} ms between sends) p50 ${med((r) => r.p50).toFixed(1)} ms, p95 ${med((r) => r.p95).toFixed(1)} ms`,
      `  throughput ${med((r) => r.stepsPerSec).toFixed(0)} steps/s = ${med((r) => (100 * r.stepsPerSec) / r.ceiling).toFixed(0)} % of the SDK-bound ceiling (${med((r) => r.ceiling).toFixed(0)} steps/s), ${med((r) => (100 * r.stepsPerSec) / r.stackCeiling).toFixed(0)} % of the stack-bound ceiling (${med((r) => r.stackCeiling).toFixed(0)} steps/s)`,
      `  CPU per step: SDK ${med((r) => r.sdkMs).toFixed(2)} ms, engine ${med((r) => r.engineMs).toFixed(2)} ms, PostgreSQL ${med((r) => r.pgMs).toFixed(2)} ms, (engine + PostgreSQL) / SDK ${med(ratio).toFixed(2)}`,
      `  per step: ${med((r) => r.statements).toFixed(2)} statements, ${med((r) => r.durableCommits).toFixed(2)} durable commits, ${med((r) => r.pgXacts).toFixed(2)} PostgreSQL transactions, ${med((r) => r.walSyncs).toFixed(2)} WAL flushes`,
      `  load average (1 min) at the runs' starts/ends: ${results.map((r) => `${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)}`).join(", ")}`,
    ].join("\n") + "\n",
  );
}

runMain(main).catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
