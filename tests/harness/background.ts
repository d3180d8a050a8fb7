// The real background stack inside a test: the engine (on its own database), the mail catcher and
// the app's Inngest functions served over HTTP by the SDK — the same parts `npm run dev` runs.
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { serve } from "inngest/node";
import pg from "pg";
import { inject } from "vitest";
import { startEngine, type Engine } from "@signup-jobs/engine";
import { startMailCatcher, type MailCatcher } from "@signup-jobs/mail-catcher";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/index";

/** Backoff of 15 s becomes 15 ms; the delays keep Inngest's shape. */
export const TIME_SCALE = 0.001;

export type BackgroundStack = {
  engine: Engine;
  mail: MailCatcher;
  appUrl: string;
  /** The engine's own database: a second engine process on it shares every run and cron tick. */
  engineDatabaseUrl: string;
  /** Simulates an executor outage; `restartEngine` brings it back on the same database and port. */
  stopEngine(): Promise<void>;
  restartEngine(): Promise<Engine>;
  stop(): Promise<void>;
};

export type BackgroundStackOptions = {
  /**
   * Injected executor clock (cron ticks, leases, due times). With it the engine's cron timer is off
   * and the test fires due ticks itself with `engine.cronTick()`.
   */
  clock?: () => number;
  /** The executor's time scale (default TIME_SCALE): 1 makes `throttle` periods real. */
  timeScale?: number;
  /** The mail catcher's Resend-like rate limit (`"4/s"`); off by default. */
  mailRateLimit?: string;
  /**
   * A crash after the side effect: the first time the app finishes a step with one of these names,
   * its answer never reaches the executor (the connection is cut), so the executor retries a step
   * whose work was done — as when the app's process dies between the provider's answer and its own.
   */
  loseAnswerOnce?: string[];
};

export async function startBackgroundStack(options: BackgroundStackOptions = {}): Promise<BackgroundStack> {
  const enginePort = Number(new URL(process.env.INNGEST_DEV!).port);
  const mailPort = Number(new URL(process.env.RESEND_BASE_URL!).port);
  const database = await createEngineDatabase();

  const mail = await startMailCatcher({
    port: mailPort,
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "mail-")),
    log: false,
    ...(options.mailRateLimit ? { rateLimit: options.mailRateLimit } : {}),
  });

  const handler = serve({ client: inngest, functions });
  const lose = new Set(options.loseAnswerOnce ?? []);
  const server = http.createServer((req, res) => {
    if (lose.size) cutAnswerOfSteps(res, lose);
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`;

  const boot = async () => {
    const engine = await startEngine({
      databaseUrl: database.url,
      port: enginePort,
      timeScale: options.timeScale ?? TIME_SCALE,
      pollMs: 100,
      requestTimeoutMs: 20_000,
      log: "silent",
      cronTimer: false,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    await engine.syncApp(appUrl);
    return engine;
  };

  const stack: BackgroundStack = {
    engine: await boot(),
    mail,
    appUrl,
    engineDatabaseUrl: database.url,
    stopEngine: () => stack.engine.stop(),
    restartEngine: async () => (stack.engine = await boot()),
    stop: async () => {
      await stack.engine.stop().catch(() => {});
      await mail.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.drop();
    },
  };
  return stack;
}

async function createEngineDatabase() {
  const server = inject("pgServerUrl");
  const name = `engine_app_${process.env.VITEST_POOL_ID ?? 0}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: `${server}postgres` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${pg.escapeIdentifier(name)}`);
  return { url: `${server}${name}`, drop: () => admin(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`) };
}

/** Buffers the app's answer; if it reports a finished step named in `names`, cuts the connection instead (once per name). */
function cutAnswerOfSteps(res: http.ServerResponse, names: Set<string>) {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (chunk: Buffer) => boolean;
  const end = res.end.bind(res) as () => http.ServerResponse;
  const toBuffer = (chunk: unknown) => (typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  res.write = ((chunk: unknown) => {
    chunks.push(toBuffer(chunk));
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: unknown) => {
    if (chunk !== undefined && typeof chunk !== "function") chunks.push(toBuffer(chunk));
    const body = Buffer.concat(chunks).toString("utf8");
    const hit = body.includes('"op":"StepRun"') ? [...names].find((name) => body.includes(`"name":"${name}"`)) : undefined;
    if (hit) {
      names.delete(hit);
      res.socket?.destroy();
      return res;
    }
    if (chunks.length) write(Buffer.concat(chunks));
    return end();
  }) as typeof res.end;
}
