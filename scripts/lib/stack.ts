// The whole local stack in one process tree: PostgreSQL (embedded), migrations, the engine and
// the Next.js app. `npm run dev` and the Playwright web server both start it; only the options differ.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { assertPortsFree, recordStack, startEmbeddedPostgres } from "@signup-jobs/devkit";
import { applyMigrations } from "./local-db";
import { killTree, startChild, stopChildren, treeRss, waitForHttp, type Child } from "./processes";

export type StackOptions = {
  /** How a person started this stack, for messages: "npm run dev", "npm run bench", … */
  command: string;
  mode: "dev" | "start";
  appPort: number;
  enginePort: number;
  mailPort: number;
  /** Uploaded and processed files (the app's DATA_DIR) and the mail catcher's store. */
  dataDir: string;
  mailLatencyMs?: number;
  /** The mail catcher's Resend-like rate limit, e.g. "2/s" (Resend's default); off when unset. */
  mailRateLimit?: string;
  pg: { dataDir: string; port: number; ephemeral: boolean };
  /** Extra environment for the app (tests shorten timings here). */
  appEnv?: Record<string, string>;
  /**
   * A load suite sends every request from 127.0.0.1, so the per-client and global limits would stop
   * the suite instead of testing the promise: "sign-up" opens the sign-up limits, "all" the log-in
   * and "send the link again" limits too (`appEnv` still wins).
   */
  openLimits?: "sign-up" | "all";
  /** The provider rate the app paces its mail to (RESEND_REQUESTS_PER_SECOND); the app's default when unset. */
  providerRequestsPerSecond?: number;
  engineArgs?: string[];
  /**
   * In mode "dev" the engine asks the app for its functions every 2 s and re-syncs when they
   * changed (a function file added or edited shows up without a restart); false turns that off.
   */
  appPoll?: boolean;
  /** false: leave port `enginePort` to another executor (e.g. `npx inngest-cli dev`). */
  engine?: boolean;
  /** Keep the children's output to stderr lines only (the bench prints its own figures). */
  quiet?: boolean;
  /** Start from nothing: delete `dataDir` (files, mail, database) once the ports are known free. */
  fresh?: boolean;
  /**
   * Mode "start" runs production as it is deployed against a self-hosted Inngest: fresh keys are
   * made for this run, the engine is in signed mode and the app in cloud mode. Written here (mode
   * 600) for the tests that talk to the engine or sign requests themselves.
   */
  keysFile?: string;
  /**
   * The chaos suite's switch: the app, engine and mail catcher run in their own process groups and
   * `control` may kill and restart each one (and the database) without the stack taking itself down.
   */
  controllable?: boolean;
};

const OPEN = "1000000/1h";
function openLimitsEnv(which: "sign-up" | "all"): Record<string, string> {
  const signUp = { RATE_LIMIT_SIGN_UP_PER_CLIENT: OPEN, RATE_LIMIT_SIGN_UP_GLOBAL: OPEN, RATE_LIMIT_SIGN_UP_EMAIL_PER_ADDRESS: OPEN };
  if (which === "sign-up") return signUp;
  return {
    ...signUp,
    RATE_LIMIT_VERIFICATION_RESEND_PER_CLIENT: OPEN,
    RATE_LIMIT_LOG_IN_PER_ACCOUNT_CLIENT: OPEN,
    RATE_LIMIT_LOG_IN_PER_ACCOUNT: OPEN,
    RATE_LIMIT_LOG_IN_PER_CLIENT: OPEN,
  };
}

/** The processes a controllable stack can kill and start again. */
export type StackProcess = "app" | "engine" | "mail";

/** Where the app's executor is and how it trusts it: the stack sets these, never the shell. */
const INNGEST_WIRING = [
  "INNGEST_DEV",
  "ALLOW_INNGEST_DEV_IN_PRODUCTION",
  "INNGEST_BASE_URL",
  "INNGEST_API_BASE_URL",
  "INNGEST_EVENT_API_BASE_URL",
  "INNGEST_SIGNING_KEY",
  "INNGEST_SIGNING_KEY_FALLBACK",
  "INNGEST_EVENT_KEY",
];

/** The keys of a production-mode stack (made per run); null under `npm run dev`. */
export type InngestKeys = { signingKey: string; eventKey: string };

export async function startStack(options: StackOptions) {
  const log = (line: string) => (options.quiet ? undefined : process.stdout.write(`[stack] ${line}\n`));

  // Every port before anything starts: a taken one is named, with its owner, instead of
  // surfacing as an unhandled EADDRINUSE from whichever child binds first.
  const ports = {
    app: options.appPort,
    ...(options.engine !== false ? { engine: options.enginePort } : {}),
    mail: options.mailPort,
    database: options.pg.port,
  };
  const record = { command: options.command, recordFile: path.join(options.dataDir, "stack.json") };
  await assertPortsFree(ports, record);
  if (options.fresh) fs.rmSync(options.dataDir, { recursive: true, force: true });
  recordStack(ports, record);

  const pg = await startEmbeddedPostgres({ ...options.pg, log });
  await pg.ensureDatabase("app");
  await pg.ensureDatabase("engine");
  log(`PostgreSQL 17 on 127.0.0.1:${options.pg.port} (data in ${pg.dataDir})`);

  const appDatabaseUrl = pg.url("app");
  try {
    applyMigrations(appDatabaseUrl);
  } catch (error) {
    await pg.stop();
    throw error;
  }
  log("migrations applied");

  const appUrl = `http://127.0.0.1:${options.appPort}`;
  const engineUrl = `http://127.0.0.1:${options.enginePort}`;
  const mailUrl = `http://127.0.0.1:${options.mailPort}`;
  // `next start` is production: the app in cloud mode (the SDK verifies every request's signature)
  // against the engine as a self-hosted Inngest server, with keys made for this run only.
  const keys: InngestKeys | null =
    options.mode === "start" ? { signingKey: `signkey-test-${randomBytes(32).toString("hex")}`, eventKey: randomBytes(32).toString("hex") } : null;
  if (keys && options.keysFile) {
    fs.mkdirSync(path.dirname(options.keysFile), { recursive: true });
    fs.writeFileSync(options.keysFile, JSON.stringify(keys), { mode: 0o600 });
  }
  // Nothing inherited from the shell may switch a mode: dev stays dev, production stays signed.
  const inherited = { ...process.env };
  for (const name of ["ENGINE_SIGNING_KEY", "ENGINE_SIGNING_KEY_FALLBACK", "ENGINE_EVENT_KEY"]) delete inherited[name];
  const appInherited = { ...inherited };
  for (const name of INNGEST_WIRING) delete appInherited[name];

  // `next start` is production mode, which requires a real secret: a fresh one per stack (kept
  // across a restart of the app, or its links and cookies would stop working).
  const appSecret = process.env.APP_SECRET ?? randomBytes(32).toString("hex");
  const group = options.controllable ?? false;
  const spawners: Record<StackProcess, () => Child> = {
    mail: () =>
      startChild(
        "mail",
        "node_modules/.bin/tsx",
        [
          "mail-catcher/main.ts",
          "--port", String(options.mailPort),
          "--data-dir", `${options.dataDir}/mail`,
          "--latency-ms", String(options.mailLatencyMs ?? 0),
          ...(options.mailRateLimit ? ["--rate-limit", options.mailRateLimit] : []),
        ],
        process.env,
        options.quiet,
        group,
      ),
    engine: () =>
      startChild(
        "engine",
        "node_modules/.bin/tsx",
        [
          "engine/main.ts",
          "--port", String(options.enginePort),
          "--database-url", pg.url("engine"),
          "--app-url", `${appUrl}/api/inngest`,
          ...(options.mode === "dev" && options.appPoll !== false ? ["--app-poll", "2000"] : []),
          ...(options.engineArgs ?? []),
        ],
        // Keys in the environment, not the arguments (`ps` shows those).
        keys ? { ...inherited, ENGINE_SIGNING_KEY: keys.signingKey, ENGINE_EVENT_KEY: keys.eventKey } : inherited,
        options.quiet,
        group,
      ),
    app: () =>
      startChild(
        "app",
        "node_modules/.bin/next",
        [options.mode, "-H", "127.0.0.1", "-p", String(options.appPort)],
        {
          ...appInherited,
          NEXT_TELEMETRY_DISABLED: "1",
          DATABASE_URL: appDatabaseUrl,
          // Production: cloud mode against the engine (INNGEST_BASE_URL is the SDK's API and event
          // base URL both). Dev: INNGEST_DEV, no signatures.
          ...(keys ? { INNGEST_BASE_URL: engineUrl, INNGEST_SIGNING_KEY: keys.signingKey, INNGEST_EVENT_KEY: keys.eventKey } : { INNGEST_DEV: engineUrl }),
          RESEND_BASE_URL: mailUrl,
          DATA_DIR: `${options.dataDir}/files`,
          APP_SECRET: appSecret,
          APP_URL: `http://localhost:${options.appPort}`,
          ...(options.openLimits ? openLimitsEnv(options.openLimits) : {}),
          ...(options.providerRequestsPerSecond ? { RESEND_REQUESTS_PER_SECOND: String(options.providerRequestsPerSecond) } : {}),
          ...options.appEnv,
        },
        options.quiet,
        group,
      ),
  };

  const children: Child[] = [spawners.mail()];
  if (options.engine !== false) children.push(spawners.engine());
  const next = spawners.app();
  children.push(next);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopChildren(children);
      await pg.stop();
    })());

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stop().then(() => process.exit(0)));
  }
  // If any part dies the stack is broken: say so and take the rest down (unless `control` did it).
  const deliberate = new Set<Child>();
  const watch = (child: Child) =>
    void child.exited.then((code) => {
      if (!stopping && !deliberate.has(child)) {
        log(`${child.name} exited (${code}); stopping`);
        void stop().then(() => process.exit(1));
      }
    });
  children.forEach(watch);

  const syncEngine = async () => {
    await waitForHttp(`${engineUrl}/health`, 30_000);
    const sync = await fetch(`${engineUrl}/v1/apps/sync`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(keys ? { authorization: `Bearer ${keys.signingKey}` } : {}) },
      body: JSON.stringify({ url: `${appUrl}/api/inngest` }),
    });
    if (!sync.ok) throw new Error(`Engine could not sync the app: ${sync.status} ${await sync.text()}`);
  };

  await waitForHttp(`${appUrl}/api/health`, 120_000, next);
  // The engine tried to sync at its start, before the app listened; sync now that it does.
  if (children.some((c) => c.name === "engine")) {
    await syncEngine();
    log(`app synced with the engine${keys ? " (signed mode: the app checks every request's signature)" : ""}`);
  }

  const current = (name: StackProcess) => children.findLast((c) => c.name === name);
  const control = {
    /** The process's pid (the group leader's), while it runs. */
    pid: (name: StackProcess) => current(name)?.process.pid,
    /** Resident memory of the process and what it started, in bytes. */
    rss: (name: StackProcess) => {
      const pid = current(name)?.process.pid;
      return pid === undefined ? 0 : treeRss(pid);
    },
    /** SIGKILL (the whole group, no warning) or SIGTERM (a graceful stop); resolves once it has exited. */
    async kill(name: StackProcess, signal: "SIGKILL" | "SIGTERM") {
      if (!group) throw new Error("control needs a stack started with controllable: true");
      const child = current(name);
      if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
      deliberate.add(child);
      killTree(child.process, signal);
      await child.exited;
      // What the group leader started may outlive it after a SIGTERM; nothing of it may stay.
      killTree(child.process, "SIGKILL");
    },
    /** Starts a killed process again and waits until it serves (the engine: synced with the app). */
    async start(name: StackProcess) {
      const child = spawners[name]();
      children.push(child);
      watch(child);
      if (name === "app") await waitForHttp(`${appUrl}/api/health`, 120_000, child);
      if (name === "mail") await waitForHttp(`${mailUrl}/_catcher/health`, 30_000, child);
      if (name === "engine") await syncEngine();
    },
    /** PostgreSQL down for `downtimeMs` (every session ends), then up again on the same files. */
    restartDatabase: (downtimeMs: number) => pg.restart({ downtimeMs }),
  };
  return { appUrl, engineUrl, mailUrl, databaseUrl: appDatabaseUrl, engineDatabaseUrl: pg.url("engine"), keys, stop, control };
}

/** Stops a script that runs the production server when `npm run build` has not made one (exit 2). */
export function requireProductionBuild(why: string): void {
  if (fs.existsSync(".next/BUILD_ID")) return;
  console.error(`Run \`npm run build\` first: ${why}.`);
  process.exit(2);
}
