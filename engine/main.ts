// CLI: `npm run engine -- --database-url postgresql://… --app-url http://127.0.0.1:3000/api/inngest`
import { parseArgs } from "node:util";
import { AuthConfigError } from "./src/auth";
import { startEngine } from "./src/engine";

const HELP = `Local Inngest-protocol engine
  --database-url <url>     PostgreSQL database for the engine's state (or ENGINE_DATABASE_URL); required
  --port <n>               default 8288
  --host <host>            default 127.0.0.1
  --app-url <serveUrl>     app to sync at start; repeatable or comma-separated (or ENGINE_APP_URLS)
  --app-poll <ms>          ask every known app for its functions this often and re-sync when they
                           changed (or ENGINE_APP_POLL_MS); default 0 = off (npm run dev: 2000)
  --time-scale <factor>    multiply every delay (or ENGINE_TIME_SCALE); default 1
  --request-timeout <ms>   per-request timeout for calls to the app; default 120000
  --lease <ms>             queue-item lease; default 30000
  --poll <ms>              poll fallback / sweep period; default 1000
  --workers <n>            concurrent queue items in this process; default 32
  --max-body <bytes>       largest accepted request body; default 3145728
  --checkpoint             let the SDK run consecutive steps in one request (checkpoint API)
  --stop-grace <ms>        on SIGINT/SIGTERM, time for requests in flight to finish; default 10000
                           (a second signal exits at once)
  --max-rescues <n>        a step in flight while the engine died this many times fails its run; default 5
  --max-steps <n>          steps a run may record before it fails (Inngest's limit); default 1000, at most 10000
  --max-state <bytes>      step outputs a run may record before it fails (Inngest's limit); default 33554432
  --log-level <level>      info (default) or debug (adds events no function listens to, polls)
  --quiet                  no log lines
Signed mode (a self-hosted Inngest server; required to bind off loopback):
  --signing-key <key>      sign every request to apps (X-Inngest-Signature) and require it as
                           Authorization: Bearer on /fn/register and /v1/ (or ENGINE_SIGNING_KEY);
                           hex, optionally signkey-<env>-: signkey-prod-$(openssl rand -hex 32)
  --signing-key-fallback <key>  also accepted as Bearer while rotating (or ENGINE_SIGNING_KEY_FALLBACK)
  --event-key <key>        POST /e/<key> accepts only these; repeatable (or ENGINE_EVENT_KEY,
                           comma-separated); required with --signing-key
Who may talk to it, and whom it calls:
  --public-host <name>     answer to this Host name too (repeatable or comma-separated); by default
                           only localhost, 127.0.0.1, [::1] and --host
  --allow-app-host <name>  a sync may name an app on this host (repeatable or comma-separated); by
                           default only loopback hosts and the --app-url ones
The browser UI is at the engine's URL (/runs, /events, /functions, /apps); the status JSON at /v1/status.`;

function num(name: string, v: string | undefined, fallback?: number): number | undefined {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

async function main() {
  const { values } = parseArgs({
    options: {
      "database-url": { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "app-url": { type: "string", multiple: true },
      "app-poll": { type: "string" },
      "log-level": { type: "string" },
      "time-scale": { type: "string" },
      "request-timeout": { type: "string" },
      lease: { type: "string" },
      poll: { type: "string" },
      workers: { type: "string" },
      "max-body": { type: "string" },
      quiet: { type: "boolean" },
      checkpoint: { type: "boolean" },
      "stop-grace": { type: "string" },
      "max-rescues": { type: "string" },
      "max-steps": { type: "string" },
      "max-state": { type: "string" },
      "signing-key": { type: "string" },
      "signing-key-fallback": { type: "string" },
      "event-key": { type: "string", multiple: true },
      "public-host": { type: "string", multiple: true },
      "allow-app-host": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const databaseUrl = values["database-url"] ?? process.env.ENGINE_DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write(`--database-url (or ENGINE_DATABASE_URL) is required\n\n${HELP}\n`);
    process.exit(2);
  }
  const appUrls = [...(values["app-url"] ?? []), ...(process.env.ENGINE_APP_URLS ? [process.env.ENGINE_APP_URLS] : [])]
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  const timeScale = num("time-scale", values["time-scale"] ?? process.env.ENGINE_TIME_SCALE, 1);
  if (!timeScale) {
    process.stderr.write("--time-scale must be > 0\n");
    process.exit(2);
  }
  const logLevel = values["log-level"] ?? "info";
  if (logLevel !== "info" && logLevel !== "debug") {
    process.stderr.write(`--log-level must be info or debug, got "${logLevel}"\n`);
    process.exit(2);
  }
  const list = (values: string[]) => values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  // Keys from the environment keep them out of the process list (`ps` shows arguments).
  const eventKeys = list([...(values["event-key"] ?? []), ...(process.env.ENGINE_EVENT_KEY ? [process.env.ENGINE_EVENT_KEY] : [])]);
  const engine = await startEngine({
    databaseUrl,
    port: num("port", values.port, 8288),
    host: values.host ?? "127.0.0.1",
    appUrls,
    timeScale,
    requestTimeoutMs: num("request-timeout", values["request-timeout"]),
    leaseMs: num("lease", values.lease),
    pollMs: num("poll", values.poll),
    workers: num("workers", values.workers),
    maxBodyBytes: num("max-body", values["max-body"]),
    log: values.quiet ? "silent" : "stdout",
    logLevel,
    appPollMs: num("app-poll", values["app-poll"] ?? process.env.ENGINE_APP_POLL_MS, 0),
    checkpoint: values.checkpoint ?? false,
    stopGraceMs: num("stop-grace", values["stop-grace"]),
    maxRescues: num("max-rescues", values["max-rescues"]),
    maxSteps: num("max-steps", values["max-steps"]),
    maxStateBytes: num("max-state", values["max-state"]),
    signingKey: values["signing-key"] ?? (process.env.ENGINE_SIGNING_KEY || undefined),
    signingKeyFallback: values["signing-key-fallback"] ?? (process.env.ENGINE_SIGNING_KEY_FALLBACK || undefined),
    eventKeys,
    publicHosts: list(values["public-host"] ?? []),
    allowAppHosts: list(values["allow-app-host"] ?? []),
  }).catch((err: unknown) => {
    if (!(err instanceof AuthConfigError)) throw err;
    process.stderr.write(`engine: ${err.message}\n`);
    process.exit(2);
  });
  let stopping = false;
  const shutdown = () => {
    if (stopping) {
      // Second signal: exit now; items still in flight are rescued when their lease expires.
      process.exit(1);
    }
    stopping = true;
    engine.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  // Every known path handles its errors; this is the last line of defence so that one unforeseen
  // rejection is reported instead of taking the engine (and every run in flight) down.
  process.on("unhandledRejection", (err) => {
    process.stderr.write(`engine: unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  });
}

main().catch((err: Error) => {
  process.stderr.write(`engine failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
