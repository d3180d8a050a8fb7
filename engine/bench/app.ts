// The bench's SDK app, in its own processes (as the real app would be): a no-op 2-step function.
// Step one reports how long after the event was sent it started (same machine, same clock).
// `--instances N` (default: one per core) serves the app from N processes on one port (node:cluster),
// because the bench's ceiling is "cores / SDK CPU per step": one Node process can use one core, so
// with a single instance the SDK could never reach more than half of it on 2 cores.
import cluster from "node:cluster";
import http from "node:http";
import os from "node:os";
import { parseArgs } from "node:util";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { freePort } from "@signup-jobs/devkit";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { instances: { type: "string" }, port: { type: "string" } } });
const engineUrl = positionals[0] ?? "http://127.0.0.1:8288";
const instances = Math.max(1, Number(values.instances ?? os.availableParallelism()));

if (cluster.isPrimary) {
  const port = await freePort();
  let listening = 0;
  cluster.setupPrimary({ args: [...process.argv.slice(2), "--port", String(port)] });
  for (let i = 0; i < instances; i++) {
    cluster.fork().once("listening", () => {
      if (++listening === instances) process.stdout.write(`ready http://127.0.0.1:${port}/api/inngest instances=${instances}\n`);
    });
  }
  // An instance that dies takes the bench's figures with it: say so and stop.
  cluster.on("exit", (worker, code, signal) => {
    if (signal === "SIGTERM" || code === 0) return;
    process.stderr.write(`bench app instance ${worker.process.pid} exited (${signal ?? code})\n`);
    process.exit(1);
  });
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const inngest = new Inngest({ id: "bench", isDev: true, baseUrl: engineUrl, logger: quiet });
  const now = () => performance.timeOrigin + performance.now();

  const twoSteps = inngest.createFunction({ id: "two-steps", triggers: [{ event: "bench/go" }] }, async ({ event, step }) => {
    const latency = await step.run("first", () => now() - (event.data.sentAt as number));
    await step.run("second", () => null);
    return { latency };
  });

  const handler = serve({ client: inngest, functions: [twoSteps] });
  const server = http.createServer(handler);
  server.keepAliveTimeout = 30_000;
  server.listen(Number(values.port), "127.0.0.1");
}
