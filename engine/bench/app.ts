// The bench's SDK app, in its own process (as the real app would be): a no-op 2-step function.
// Step one reports how long after the event was sent it started (same machine, same clock).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";

const engineUrl = process.argv[2] ?? "http://127.0.0.1:8288";
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
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`ready http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest\n`);
});
