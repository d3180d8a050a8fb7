// How flow control creates a run when a debounce fires or a batch starts: ingest.ts's scheduleRun,
// passed in by the caller (ingest.ts imports flow control, so flow control cannot import it).
import type { Ctx } from "../context";
import type { Tx } from "../db";
import type { FnDef } from "../functions";
import type { EventPayload, QueueItem } from "../types";

export type ScheduleOptions = {
  /**
   * Replaces the run's dedupe keys (event id, idempotency): a batch is deduped by its own id. A
   * batch run also gets no start timeout and never a delayed start.
   */
  dedupeKey?: string;
  /** Start the run this long (unscaled ms) from now: a future event `ts`, cron jitter. */
  delayMs?: number;
};

export type Schedule = (
  ctx: Ctx,
  tx: Tx,
  fn: FnDef,
  eventInternalId: string,
  event: EventPayload,
  direct?: { reserve(): boolean },
  opts?: ScheduleOptions,
) => Promise<{ runId: string; claimed?: QueueItem } | null>;

/** A run created by flow control, for the caller's bookkeeping (run ids, direct dispatch). */
export type Started = { runId: string; claimed?: QueueItem };
