// `npm run bench:engine [-- --fsync off] [--events 2000] [--checkpoint]`: embedded PostgreSQL in a temp dir, the
// engine in this process, the SDK app in a child process. Prints event → first step start p50/p95
// (light load) and sustained step executions per second (durable state).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEngine } from "../index";
import { freePort, runMain, startEmbeddedPostgres } from "@signup-jobs/devkit";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    fsync: { type: "string", default: "on" },
    events: { type: "string", default: "2000" },
    latency: { type: "string", default: "200" },
    workers: { type: "string", default: "32" },
    checkpoint: { type: "boolean", default: false },
  },
});
const fsyncOn = values.fsync !== "off";
const total = Number(values.events);
const latencySamples = Number(values.latency);

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

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-bench-"));
  const pgPort = await freePort();
  const server = await startEmbeddedPostgres({
    dataDir: dir,
    port: pgPort,
    ephemeral: true,
    settings: fsyncOn ? { fsync: "on", synchronous_commit: "on", full_page_writes: "on" } : {},
  });
  const base = `postgresql://postgres:postgres@127.0.0.1:${pgPort}/`;
  const admin = new pg.Client({ connectionString: `${base}postgres` });
  await admin.connect();
  await admin.query("create database engine_bench");
  await admin.end();
  const databaseUrl = `${base}engine_bench`;

  const engine = await startEngine({
    databaseUrl,
    port: 0,
    log: "silent",
    workers: Number(values.workers),
    checkpoint: values.checkpoint,
  });
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "app.ts"), engine.url], {
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

  // 1) Latency under light load: one event at a time, 10 ms apart, each from a fresh send.
  for (let i = 0; i < latencySamples; i++) {
    await send([{ name: "bench/go", data: { sentAt: now() } }]);
    await new Promise((r) => setTimeout(r, 10));
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
  const cpu0 = { engine: process.cpuUsage(), app: cpuSeconds(childPid), pg: cpuSeconds(process.pid, [childPid]) };
  const t0 = now();
  for (let i = 0; i < total; i += 100) {
    await send(Array.from({ length: Math.min(100, total - i) }, () => ({ name: "bench/go", data: { sentAt: now() } })));
  }
  const tSent = now();
  done += total;
  await waitCompleted(done);
  const elapsed = (now() - t0) / 1000;
  const engineCpu = process.cpuUsage(cpu0.engine);
  const cpu = {
    engine: (engineCpu.user + engineCpu.system) / 1e6,
    app: cpuSeconds(childPid) - cpu0.app,
    // The tree under this process minus the app is PostgreSQL plus this process itself.
    pg: cpuSeconds(process.pid, [childPid]) - cpu0.pg - (engineCpu.user + engineCpu.system) / 1e6,
  };

  const cpus = os.cpus().length;
  process.stdout.write(
    [
      `engine bench — ${cpus} cores, PostgreSQL fsync=${fsyncOn ? "on" : "off"}, synchronous_commit=${fsyncOn ? "on" : "off"}, workers=${values.workers}, checkpoint=${values.checkpoint ? "on" : "off"}`,
      `event → first step start (light load, n=${latencies.length}): p50 ${pct(latencies, 50).toFixed(1)} ms, p95 ${pct(latencies, 95).toFixed(1)} ms, max ${pct(latencies, 100).toFixed(1)} ms`,
      `throughput: ${total} runs × 2 steps in ${elapsed.toFixed(2)} s → ${((total * 2) / elapsed).toFixed(0)} steps/s (${(total / elapsed).toFixed(0)} runs/s; events accepted in ${((tSent - t0) / 1000).toFixed(2)} s)`,
      `CPU during the throughput phase (of ${(elapsed * cpus).toFixed(1)} core-s available): SDK app ${cpu.app.toFixed(1)} s (${((cpu.app * 1000) / (total * 2)).toFixed(2)} ms/step), engine ${cpu.engine.toFixed(1)} s (${((cpu.engine * 1000) / (total * 2)).toFixed(2)} ms/step), PostgreSQL ${cpu.pg.toFixed(1)} s (${((cpu.pg * 1000) / (total * 2)).toFixed(2)} ms/step); load average ${os.loadavg()[0]?.toFixed(1)}`,
    ].join("\n") + "\n",
  );

  await db.end();
  child.kill("SIGTERM");
  await engine.stop();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

runMain(main).catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
