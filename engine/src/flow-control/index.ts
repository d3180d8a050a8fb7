// Flow control at ingest (notes §0.4), in Inngest's order, for each event and matching function:
//   1. batchEvents — the event joins a batch (unless the batch `if` is not true) and stops here;
//   2. rateLimit   — over the limit, the run is skipped (recorded, never queued);
//   3. debounce    — the event replaces the pending one and stops here;
//   4. throttle    — in scheduleRun (throttle.ts): the run's start time is reserved.
// ingest.ts opens one session per transaction: it locks the flow state of every function involved
// first (lock.ts), runs `intercept` per event and function, and `finish` appends the batched events
// in bulk (one statement per batch chunk) and starts the batches that filled up.
import { matches } from "../cel";
import { QUEUE_CHANNEL, type Ctx } from "../context";
import type { Tx } from "../db";
import type { FnDef } from "../functions";
import { INVOKED_EVENT } from "../pauses";
import type { EventPayload } from "../types";
import { appendToBatch, batchKey, type BatchedEvent } from "./batch";
import { debounceEvent } from "./debounce";
import { lockFunctions } from "./lock";
import { rateLimitAdmits } from "./rate-limit";
import type { Schedule, Started } from "./schedule";

export type { FlowControl } from "./config";
export { armDelayedStart, throttleRuns } from "./throttle";
export type { ScheduleOptions } from "./schedule";

/** An invoked run that rateLimit skipped: its parent's step.invoke fails at once (notes §2.2). */
export type InvokeRefusal = { correlationId: string; functionId: string; error: { name: string; message: string } };

export class FlowIngest {
  private readonly batches = new Map<string, { fn: FnDef; key: string; events: BatchedEvent[] }>();
  private timers = 0;
  /** Invocations rateLimit skipped in this session, for events.ts to answer their parents. */
  readonly invokeRefusals: InvokeRefusal[] = [];

  private constructor(
    private readonly ctx: Ctx,
    private readonly tx: Tx,
    private readonly schedule: Schedule,
    private readonly direct?: { reserve(): boolean },
  ) {}

  /**
   * A session for these (fresh) events, or null when none of the functions they trigger has flow
   * control. `match` is ingest.ts's trigger matching.
   */
  static async open(
    ctx: Ctx,
    tx: Tx,
    events: EventPayload[],
    match: (ctx: Ctx, event: EventPayload) => FnDef[],
    schedule: Schedule,
    direct?: { reserve(): boolean },
  ): Promise<FlowIngest | null> {
    if (!ctx.registry.all().some((f) => f.flow)) return null;
    const ids = new Set<string>();
    for (const e of events) for (const fn of match(ctx, e)) if (fn.flow) ids.add(fn.id);
    if (!ids.size) return null;
    await lockFunctions(tx, [...ids]);
    return new FlowIngest(ctx, tx, schedule, direct);
  }

  /**
   * True when flow control took the event for this function (batched, skipped or debounced).
   * `delayMs`: the event's future `ts` (a debounced run starts no earlier; a batch ignores it).
   */
  async intercept(fn: FnDef, eventInternalId: string, event: EventPayload, delayMs?: number): Promise<boolean> {
    const flow = fn.flow;
    if (!flow) return false;
    if (flow.batch && (!flow.batch.if || matches(flow.batch.if, { event }))) {
      const key = batchKey(this.ctx, fn, event);
      const k = `${fn.id}\n${key}`;
      let b = this.batches.get(k);
      if (!b) this.batches.set(k, (b = { fn, key, events: [] }));
      b.events.push({ internalId: eventInternalId, payload: event, bytes: Buffer.byteLength(JSON.stringify(event)) });
      return true;
    }
    // Idempotency replaces rateLimit in Inngest (it is compiled to a 24 h rate limit).
    if (flow.rateLimit && !fn.idempotency && !(await rateLimitAdmits(this.ctx, this.tx, fn, eventInternalId, event))) {
      // Go answers the invoking parent with a synthetic inngest/function.finished carrying this
      // error (runner.go), so its step.invoke throws now instead of waiting for its timeout.
      const correlationId = (event.data._inngest as { correlation_id?: unknown } | undefined)?.correlation_id;
      if (event.name === INVOKED_EVENT && typeof correlationId === "string") {
        this.invokeRefusals.push({ correlationId, functionId: fn.id, error: { name: "Error", message: "invoked function is rate limited" } });
      }
      return true;
    }
    if (flow.debounce) {
      await debounceEvent(this.ctx, this.tx, fn, eventInternalId, event, delayMs);
      this.timers++;
      return true;
    }
    return false;
  }

  /** Appends the batched events; returns the runs of the batches that started. */
  async finish(): Promise<Started[]> {
    const started: Started[] = [];
    for (const b of this.batches.values()) {
      const r = await appendToBatch(this.ctx, this.tx, b.fn, b.key, b.events, this.schedule, this.direct);
      started.push(...r.started);
      this.timers += r.timers;
    }
    // New or moved timers: wake every engine process so each re-arms its timer for the next item.
    if (this.timers) await this.tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
    return started;
  }
}
