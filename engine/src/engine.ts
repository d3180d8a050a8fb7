// Wires the pieces together: migrations, registry, HTTP server, worker, listener, cron and the
// periodic sweep (poll fallback + lease rescue + cron).
import type { AddressInfo } from "node:net";
import { AppPoller } from "./app-poller";
import { Auth } from "./auth";
import type { Random } from "./backoff";
import type { Clock, Ctx, EngineOptions } from "./context";
import { CronScheduler } from "./cron";
import { createPool, ensureDatabase } from "./db";
import { createLogger, type LogLevel, type LogSink, type Logger } from "./log";
import { migrate } from "./migrate";
import { ABSOLUTE_MAX_STEPS, MAX_STATE_BYTES, MAX_STEPS } from "./ops";
import { Registry } from "./registry";
import { createServer } from "./server";
import { Ui } from "./ui/routes";
import type { SyncResult } from "./sync";
import { rescue } from "./rescue";
import { Listener, Worker } from "./worker";

export type StartEngineOptions = {
  databaseUrl: string;
  port?: number; // default 8288; 0 = any free port
  host?: string; // default 127.0.0.1
  appUrls?: string[]; // apps to sync at start (retried in the background until they answer)
  timeScale?: number; // default 1
  requestTimeoutMs?: number; // default 120 000
  leaseMs?: number; // default 30 000
  pollMs?: number; // default 1000
  workers?: number; // default 32
  maxBodyBytes?: number; // default 3 MiB
  checkpoint?: boolean; // default false: one request per step, as without checkpointing
  stopGraceMs?: number; // default 10 000: on stop, requests in flight may finish and be written back
  maxRescues?: number; // default 5: a step in flight while its process died this often fails the run (see README)
  maxSteps?: number; // default 1000 (Inngest's step limit per run), at most 10 000 (Inngest's absolute limit)
  maxStateBytes?: number; // default 32 MiB (Inngest's state size limit per run)
  clock?: Clock; // default Date.now
  random?: Random; // default Math.random (backoff jitter)
  log?: LogSink | "stdout" | "silent"; // default stdout
  logLevel?: LogLevel; // default "info"; "debug" adds e.g. events that no function listens to
  /**
   * Poll every known app's serve URL this often and re-sync when its functions changed (as the
   * Dev Server does). Default 0 = off: apps are synced at start and on demand only.
   */
  appPollMs?: number;
  /** Run the cron sweep on the poll timer (default true); tests with a fake clock call tick(). */
  cronTimer?: boolean;
  /**
   * Signed mode (as a self-hosted Inngest server): requests to apps are signed with this key, and
   * /fn/register, the SDK's API calls and /v1/ need it as `Authorization: Bearer` (key or hash).
   * Needs `eventKeys`. Default: dev mode (no keys, loopback only).
   */
  signingKey?: string;
  /** Also accepted as Bearer while rotating keys (requests are signed with `signingKey`). */
  signingKeyFallback?: string;
  /** Signed mode: `POST /e/<key>` accepts only these (401 "Event key not found" otherwise). */
  eventKeys?: string[];
  /** Host names to answer to besides loopback and `host` (421 otherwise). */
  publicHosts?: string[];
  /** App hosts besides loopback (and the `appUrls` hosts) that a sync may name. */
  allowAppHosts?: string[];
};

export type Engine = {
  url: string;
  port: number;
  /** In-band sync of one app (PUT on its serve URL). */
  syncApp(url: string): Promise<SyncResult>;
  /** One app-poll round now (what `appPollMs` does on its timer): re-syncs apps whose functions changed. */
  pollApps(): Promise<void>;
  /** Fire due cron ticks now, using the engine clock. Returns how many runs started. */
  cronTick(): Promise<number>;
  /** Look for due work now (and requeue expired leases). */
  poke(): Promise<void>;
  stop(): Promise<void>;
  logger: Logger;
};

export async function startEngine(options: StartEngineOptions): Promise<Engine> {
  const opts: EngineOptions = {
    timeScale: options.timeScale ?? 1,
    requestTimeoutMs: options.requestTimeoutMs ?? 120_000,
    leaseMs: options.leaseMs ?? 30_000,
    pollMs: options.pollMs ?? 1000,
    workers: options.workers ?? 32,
    maxBodyBytes: options.maxBodyBytes ?? 3 * 1024 * 1024,
    checkpoint: options.checkpoint ?? false,
    stopGraceMs: options.stopGraceMs ?? 10_000,
    maxRescues: options.maxRescues ?? 5,
    maxSteps: options.maxSteps ?? MAX_STEPS,
    maxStateBytes: options.maxStateBytes ?? MAX_STATE_BYTES,
  };
  if (!(opts.maxRescues >= 1)) throw new Error("maxRescues must be ≥ 1");
  if (!(Number.isInteger(opts.maxSteps) && opts.maxSteps >= 1 && opts.maxSteps <= ABSOLUTE_MAX_STEPS)) {
    throw new Error(`maxSteps must be a whole number from 1 to ${ABSOLUTE_MAX_STEPS} (Inngest's absolute step limit)`);
  }
  if (!(Number.isInteger(opts.maxStateBytes) && opts.maxStateBytes >= 1)) throw new Error("maxStateBytes must be a whole number ≥ 1");
  if (!(opts.timeScale > 0)) throw new Error("timeScale must be > 0");
  // Keys, Host names and app hosts are checked before anything starts (off loopback needs keys).
  const auth = new Auth({
    signingKey: options.signingKey,
    signingKeyFallback: options.signingKeyFallback,
    eventKeys: options.eventKeys,
    host: options.host ?? "127.0.0.1",
    publicHosts: options.publicHosts,
    allowAppHosts: options.allowAppHosts,
    appUrls: options.appUrls,
  });
  const log = createLogger(options.log ?? "stdout", options.logLevel ?? "info");
  if (await ensureDatabase(options.databaseUrl)) log.info("engine database created");
  const db = createPool(options.databaseUrl, Math.min(opts.workers + 8, 40));
  const lightDb = createPool(options.databaseUrl, Math.min(opts.workers, 20), true);
  try {
    await migrate(db);
  } catch (err) {
    await db.end().catch(() => {});
    await lightDb.end().catch(() => {});
    throw err;
  }
  const registry = new Registry(db);
  await registry.reload();

  let worker: Worker | null = null;
  const ctx: Ctx = {
    db,
    lightDb,
    log,
    clock: options.clock ?? Date.now,
    random: options.random ?? Math.random,
    opts,
    registry,
    auth,
    wake: () => worker?.wake(),
    reserveSlot: () => worker?.reserve() ?? false,
    dispatch: (n, items, carried) => worker?.dispatch(n, items, carried),
  };
  worker = new Worker(ctx);
  const cron = new CronScheduler(ctx);
  const appPollMs = options.appPollMs ?? 0;
  if (!(appPollMs >= 0)) throw new Error("appPollMs must be ≥ 0");
  const apps = new AppPoller(ctx, appPollMs, options.appUrls ?? []);
  const syncApp = (appUrl: string) => apps.syncNow(appUrl);
  const ui = new Ui(ctx, { apps, upcoming: () => cron.upcoming() });
  const server = createServer(ctx, { upcoming: () => cron.upcoming(), apps, ui });
  const listener = new Listener(options.databaseUrl, () => ctx.wake(), () => void registry.reload().catch(() => {}), ctx);
  await listener.start();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8288, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;

  let stopped = false;
  const cronTimer = options.cronTimer ?? true;
  const sweep = async () => {
    try {
      await rescue(ctx, [...(worker?.ownItems ?? [])], worker?.itemErrors);
      if (cronTimer) await cron.tick();
    } catch (err) {
      if (!stopped) log.warn("sweep failed", { error: (err as Error).message });
    }
    ctx.wake();
  };
  const interval = setInterval(() => void sweep(), opts.pollMs);
  ctx.wake();
  void sweep();

  // Apps named at start: sync now, and keep retrying in the background while they are not up
  // (with polling on, the poller does the retrying).
  const pendingSyncs = new Set<NodeJS.Timeout>();
  const syncWithRetry = (appUrl: string, delay = 500) => {
    syncApp(appUrl).catch((err: Error) => {
      if (stopped) return;
      if (appPollMs > 0) {
        log.warn("app sync failed, polling it", { url: appUrl, error: err.message, poll_ms: appPollMs });
        return;
      }
      log.warn("app sync failed, retrying", { url: appUrl, error: err.message, retry_ms: delay });
      const t = setTimeout(() => {
        pendingSyncs.delete(t);
        syncWithRetry(appUrl, Math.min(delay * 2, 10_000));
      }, delay);
      pendingSyncs.add(t);
    });
  };
  for (const appUrl of options.appUrls ?? []) syncWithRetry(appUrl);
  apps.start();

  log.info("engine listening", { url, time_scale: opts.timeScale, ui: `${url}/`, app_poll_ms: appPollMs || undefined, mode: auth.signed ? "signed" : "dev" });

  return {
    url,
    port: address.port,
    logger: log,
    syncApp,
    pollApps: () => apps.pollAll(),
    cronTick: () => cron.tick(),
    poke: async () => {
      await rescue(ctx, [...(worker?.ownItems ?? [])], worker?.itemErrors);
      ctx.wake();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(interval);
      apps.stop();
      ui.stop();
      for (const t of pendingSyncs) clearTimeout(t);
      await worker?.stop(opts.stopGraceMs);
      await listener.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await db.end().catch(() => {});
      await lightDb.end().catch(() => {});
      log.info("engine stopped");
    },
  };
}
