// The claim loop: claims due queue items (queue.ts) up to the worker count and executes them
// (executor.ts); it is woken by NOTIFY, by its own commits, by a timer for the next due item, and
// by the poll fallback. Also the dedicated LISTEN connection.
import pg from "pg";
import { FUNCTIONS_CHANNEL, QUEUE_CHANNEL, type Ctx } from "./context";
import { processItem, type Next } from "./executor";
import { claim, releaseItem } from "./queue";
import type { Inflight } from "./sdk-call";
import type { CarriedRun, QueueItem } from "./types";

export class Worker {
  private active = 0;
  private reserved = 0;
  private pumping = false;
  private again = false;
  private stopped = false;
  private nextTimer: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<void>>();
  /** Queue ids this process is executing right now. */
  readonly ownItems = new Set<number>();
  /**
   * The last error this process met handling an item that it then left to its lease (a failed
   * write-back, say): the rescue cap names it instead of blaming a process death that never
   * happened. Bounded; the oldest entries go first.
   */
  readonly itemErrors = new Map<number, string>();
  readonly inflight: Inflight = { aborts: new Set(), stopping: false };

  constructor(private readonly ctx: Ctx) {}

  wake = (): void => {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  };

  private pumpDone: Promise<void> = Promise.resolve();

  private pump(): Promise<void> {
    this.pumpDone = this.pumpLoop();
    return this.pumpDone;
  }

  private async pumpLoop() {
    this.pumping = true;
    try {
      // When the next queued item is due, as the last claim saw it (undefined: ask the database).
      let nextDue: number | null | undefined;
      let full = false;
      do {
        this.again = false;
        nextDue = undefined;
        full = true;
        while (!this.stopped && this.active + this.reserved < this.ctx.opts.workers) {
          const claimed = await claim(this.ctx, this.ctx.opts.workers - this.active - this.reserved);
          nextDue = claimed.nextDue;
          if (!claimed.items.length) {
            full = false;
            break;
          }
          nextDue = undefined;
          for (const item of claimed.items) this.start(item, claimed.carried?.get(item.id));
        }
      } while (this.again && !this.stopped);
      // Every slot busy: no timer needed, the next item to finish pumps again.
      if (!full) await this.armTimer(nextDue);
    } catch (err) {
      if (!this.stopped) this.ctx.log.warn("claim failed", { error: (err as Error).message });
    } finally {
      this.pumping = false;
    }
  }

  /** Holds a slot for an item that an ingest transaction is creating already leased to us. */
  reserve = (): boolean => {
    if (this.stopped || this.active + this.reserved >= this.ctx.opts.workers) return false;
    this.reserved++;
    return true;
  };

  /**
   * After the ingest commit (or rollback: items = []), run what was leased and free the rest.
   * `carried`: the new runs' state by queue id (not loaded again).
   */
  dispatch(reservedCount: number, items: QueueItem[], carried?: Map<number, CarriedRun>) {
    this.reserved -= reservedCount;
    for (const item of items) this.start(item, carried?.get(item.id));
    if (reservedCount > items.length) this.wake();
  }

  private start(item: QueueItem, run?: CarriedRun) {
    this.active++;
    this.ownItems.add(item.id);
    const p = (async () => {
      let next: Next = { item, run };
      try {
        while (next && !this.stopped) next = await processItem(this.ctx, next.item, this.inflight, next.run);
        // Stopping: a continuation this worker still holds goes back to the queue at once, so a
        // restart (or another process) picks it up without waiting for the lease to expire.
        if (next) await releaseItem(this.ctx, next.item);
      } catch (err) {
        // The item keeps its lease and is rescued when it expires; the engine keeps running.
        if (!this.inflight.stopping) {
          const message = (err as Error).message;
          this.ctx.log.warn("item failed", { run: item.run_id, error: message });
          this.itemErrors.delete(item.id);
          this.itemErrors.set(item.id, message);
          if (this.itemErrors.size > 1000) this.itemErrors.delete(this.itemErrors.keys().next().value!);
        }
      }
    })().finally(() => {
      this.ownItems.delete(item.id);
      this.active--;
      this.running.delete(p);
      this.wake();
    });
    this.running.add(p);
  }

  /**
   * A timer for the next future item (scaled retries and sleeps are often shorter than a poll).
   * `known`: the next due time the last claim returned (null: nothing queued); else it is queried.
   */
  private async armTimer(known?: number | null) {
    if (this.stopped) return;
    let at = known;
    if (at === undefined) {
      const res = await this.ctx.db.query<{ at: Date | null }>("select min(run_at) as at from queue where state = 'queued'");
      at = res.rows[0]?.at?.getTime() ?? null;
    }
    if (at === null) return;
    const delay = Math.max(0, at - this.ctx.clock());
    if (delay >= this.ctx.opts.pollMs) return;
    if (this.nextTimer) clearTimeout(this.nextTimer);
    this.nextTimer = setTimeout(() => {
      this.nextTimer = null;
      this.wake();
    }, delay + 1);
  }

  /**
   * Graceful stop: no new claims; requests in flight get `graceMs` to finish and are written back
   * as usual (so a restart never runs a step whose request completed). What is still open after
   * the grace period is aborted and released to the queue unchanged (the step runs again later).
   */
  async stop(graceMs: number) {
    this.stopped = true;
    if (this.nextTimer) clearTimeout(this.nextTimer);
    const deadline = Date.now() + graceMs;
    const settle = async (until: number) => {
      // A claim in progress may still start items; wait for it, then for everything running.
      while (this.pumping || this.running.size) {
        const left = until - Date.now();
        if (left <= 0) return false;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...this.running, this.pumpDone]),
          new Promise((r) => (timer = setTimeout(r, left))),
        ]);
        clearTimeout(timer);
      }
      return true;
    };
    if (await settle(deadline)) return;
    this.ctx.log.warn("stop: grace period over, releasing requests still in flight", { in_flight: this.running.size, grace_ms: graceMs });
    this.inflight.stopping = true;
    for (const abort of this.inflight.aborts) abort();
    await settle(Date.now() + 5000);
  }
}

/**
 * A dedicated LISTEN connection (outside the pool). It reconnects with backoff and, after each
 * (re)connect, triggers one fetch, since notifications sent during the outage are lost.
 */
export class Listener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly onQueue: () => void,
    private readonly onFunctions: () => void,
    private readonly ctx: Ctx,
  ) {}

  async start() {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on("error", () => this.reconnect(client));
    client.on("end", () => this.reconnect(client));
    client.on("notification", (msg) => {
      if (msg.channel === QUEUE_CHANNEL) this.onQueue();
      else if (msg.channel === FUNCTIONS_CHANNEL) this.onFunctions();
    });
    try {
      await client.connect();
      await client.query(`listen ${QUEUE_CHANNEL}`);
      await client.query(`listen ${FUNCTIONS_CHANNEL}`);
      this.client = client;
      this.retryMs = 100;
      this.onFunctions();
      this.onQueue();
    } catch (err) {
      this.ctx.log.warn("listener connect failed", { error: (err as Error).message, retry_ms: this.retryMs });
      client.end().catch(() => {});
      this.schedule();
    }
  }

  private reconnect(client: pg.Client) {
    if (this.stopped || this.client !== client) return;
    this.client = null;
    client.end().catch(() => {});
    this.ctx.log.warn("listener disconnected, reconnecting");
    this.schedule();
  }

  private schedule() {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 5000);
  }

  /** For tests: drop the connection as a network failure would. */
  async simulateDrop() {
    const c = this.client;
    if (c) await c.end().catch(() => {});
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
  }
}
