import type { Auth } from "./auth";
import type { Random } from "./backoff";
import type { Db } from "./db";
import type { Logger } from "./log";
import type { Registry } from "./registry";
import type { CarriedRun, QueueItem } from "./types";

export type Clock = () => number;

export type EngineOptions = {
  /** Multiplies every delay (backoff, sleep, retry-after). 1 = production timing. */
  timeScale: number;
  /** Per-request timeout for calls to the SDK; a timeout is a failed attempt. */
  requestTimeoutMs: number;
  /** Lease on a claimed queue item, renewed at half-life while the request is open. */
  leaseMs: number;
  /** Poll fallback when no NOTIFY arrives (and the period of the cron and lease-rescue sweeps). */
  pollMs: number;
  /** Queue items executed concurrently by this process. */
  workers: number;
  /** Largest request body accepted on /e/ and /fn/register. */
  maxBodyBytes: number;
  /** Send ctx.fn_id/qi_id so the SDK checkpoints consecutive steps in one request. */
  checkpoint: boolean;
  /** On stop, how long requests in flight may take to finish and be written back. */
  stopGraceMs: number;
  /** A step in flight while its process died this many times (lease rescues) fails the run. */
  maxRescues: number;
  /** Steps a run may record (Inngest's step limit); the next request fails the run instead. */
  maxSteps: number;
  /** Bytes of step outputs a run may record (Inngest's state size limit); past it the run fails. */
  maxStateBytes: number;
};

export type Ctx = {
  db: Db;
  /** Same database, asynchronous commit: claims, lease renewals, "run started" (see createPool). */
  lightDb: Db;
  log: Logger;
  clock: Clock;
  random: Random;
  opts: EngineOptions;
  registry: Registry;
  /** Keys, signing and who may call what (auth.ts); in dev mode it signs nothing. */
  auth: Auth;
  /** Ask the local worker loop to look for due work now (NOTIFY covers other processes). */
  wake(): void;
  /** Direct dispatch of new runs to this process's worker (see ingest.ts `Direct`). */
  reserveSlot(): boolean;
  dispatch(reservedCount: number, items: QueueItem[], carried?: Map<number, CarriedRun>): void;
};

export const QUEUE_CHANNEL = "engine_queue";
export const FUNCTIONS_CHANNEL = "engine_functions";
