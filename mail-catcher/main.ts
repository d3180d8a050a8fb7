// CLI: `npm run mail-catcher -- --port 4010 --data-dir .data/mail --latency-ms 300`
import { parseArgs } from "node:util";
import { isLoopbackBind } from "./src/guard";
import { parseRateLimit } from "./src/rate-limit";
import { startMailCatcher } from "./src/server";

const HELP = `Local Resend-compatible mail catcher (see mail-catcher/README.md)
  --port <n>           default 4010 (0 picks a free port)
  --host <host>        default 127.0.0.1; anything off loopback (0.0.0.0, a LAN address)
                       needs --token
  --token <secret>     required everywhere: as the API key (Authorization: Bearer) on the
                       Resend routes, and as bearer or cookie (open the inbox once with
                       ?token=<secret>) on the inbox and /_catcher. Also MAIL_CATCHER_TOKEN
  --public-host <name> answer to this Host name too (repeatable or comma-separated); by
                       default only localhost, 127.0.0.1 and [::1] are answered (421 otherwise)
  --data-dir <dir>     where messages are stored; default .data/mail
  --latency-ms <ms>    minimum time for every /emails request; default 0
  --api-key <key>      accept only this key (403 otherwise); default: any non-empty key
  --max-body <bytes>   largest sending-API body (413 above); default 41943040 (40 MB)
  --rate-limit <rate>  Resend-like limit on the Resend routes: 2/s (Resend's default), 10/2s,
                       100/m; 0 or off (the default) for none. Over it: 429 rate_limit_exceeded
  --rate-limit-scope <team|key>
                       team (default, like Resend): one limit for all API keys; key: one per key
  --quiet              no log lines`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}\n`);
  process.exit(2);
}

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "data-dir": { type: "string" },
        "latency-ms": { type: "string" },
        "api-key": { type: "string" },
        "max-body": { type: "string" },
        "rate-limit": { type: "string" },
        "rate-limit-scope": { type: "string" },
        token: { type: "string" },
        "public-host": { type: "string", multiple: true },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const port = nonNegativeInt("port", values.port, 4010);
  if (port > 65_535) fail(`--port must be at most 65535, got ${port}`);
  let rateLimit: ReturnType<typeof parseRateLimit> = null;
  try {
    rateLimit = parseRateLimit(values["rate-limit"] ?? "0");
  } catch (error) {
    fail(`--rate-limit: ${error instanceof Error ? error.message : String(error)}`);
  }
  const scope = values["rate-limit-scope"] ?? "team";
  if (scope !== "team" && scope !== "key") fail(`--rate-limit-scope must be team or key, got "${scope}"`);
  const host = values.host ?? "127.0.0.1";
  const token = values.token ?? (process.env.MAIL_CATCHER_TOKEN || undefined);
  if (token !== undefined && token.trim() === "") fail("--token must not be empty");
  if (!isLoopbackBind(host) && token === undefined) {
    fail(`--host ${host} is off loopback: anyone on the network could read and inject mail. Add --token <secret> (or MAIL_CATCHER_TOKEN), or keep the default 127.0.0.1.`);
  }
  if (token !== undefined && values["api-key"] !== undefined && values["api-key"] !== token) {
    fail("--api-key and --token differ: with a token, the token is the API key; leave --api-key out");
  }
  const publicHosts = (values["public-host"] ?? []).flatMap((h) => h.split(",")).map((h) => h.trim()).filter(Boolean);
  const catcher = await startMailCatcher({
    port,
    host,
    dataDir: values["data-dir"] ?? ".data/mail",
    latencyMs: nonNegativeInt("latency-ms", values["latency-ms"], 0),
    apiKey: values["api-key"],
    maxBodyBytes: values["max-body"] === undefined ? undefined : nonNegativeInt("max-body", values["max-body"], 0),
    rateLimit: rateLimit && { ...rateLimit, scope },
    token,
    publicHosts,
    log: !values.quiet,
  });
  const inbox = token === undefined ? `${catcher.url}/` : `${catcher.url}/?token=${encodeURIComponent(token)}`;
  process.stdout.write(`[mail-catcher] listening on ${catcher.url} (inbox: ${inbox}, RESEND_BASE_URL=${catcher.url})\n`);
  if (rateLimit) {
    process.stdout.write(`[mail-catcher] rate limit: ${rateLimit.limit} requests per ${rateLimit.windowSeconds} s (${scope})\n`);
  }

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    catcher.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`[mail-catcher] stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`[mail-catcher] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
