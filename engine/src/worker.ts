// The claim loop: claims due queue items with FOR UPDATE SKIP LOCKED (two processes never take the
// same item), honours per-key concurrency limits, and is woken by NOTIFY, by its own commits, by a
// timer for the next due item, and by the poll fallback.
import pg from "pg";
import { FUNCTIONS_CHANNEL, QUEUE_CHANNEL, type Ctx } from "./context";
import { iso, withTx } from "./db";
import { processItem, type Inflight, type QueueItem } from "./executor";

/** Claims up to `n` due items, skipping (and parking) those whose concurrency keys are full. */
export async function claim(ctx: Ctx, n: number): Promise<QueueItem[]> {
  if (n <= 0) return [];
  // Fast path, one statement: items without concurrency keys. It also reports whether keyed items
  // are due, which need the locking path below.
  const now = ctx.clock();
  // On the async-commit pool: a claim lost in a crash only means the item is claimed again.
  const fast = await ctx.lightDb.query<QueueItem & { keyed_due: boolean }>(
    `with c as (
       select id from queue where state = 'queued' and run_at <= $1 and ckeys = '{}'
        order by run_at, id limit $2 for update skip locked),
     u as (
       update queue q set state = 'running', blocked = false, lease_token = gen_random_uuid(), lease_until = $3
         from c where q.id = c.id returning q.id, q.run_id, q.kind, q.step_id, q.attempt, q.lease_token, q.ckeys, q.climits)
     select u.*, false as keyed_due from u
     union all
     select null, null, null, null, null, null, null, null, true
      where exists (select 1 from queue where state = 'queued' and run_at <= $1 and ckeys <> '{}')`,
    [iso(now), n, iso(now + ctx.opts.leaseMs)],
  );
  const items = fast.rows.filter((r) => !r.keyed_due).map(({ keyed_due: _k, ...item }) => item as QueueItem);
  const keyedDue = fast.rows.some((r) => r.keyed_due);
  if (!keyedDue || items.length >= n) return items;
  return [...items, ...(await claimKeyed(ctx, n - items.length))];
}

async function claimKeyed(ctx: Ctx, n: number): Promise<QueueItem[]> {
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock();
    const cands = await tx.query<{ id: number; ckeys: string[]; climits: number[] }>(
      `select id, ckeys, climits from queue where state = 'queued' and run_at <= $1 and ckeys <> '{}'
        order by run_at, id limit $2 for update skip locked`,
      [iso(now), n],
    );
    if (!cands.rowCount) return [];
    const chosen: number[] = [];
    const parked: number[] = [];
    const keyed = cands.rows.filter((c) => c.ckeys.length > 0);
    if (keyed.length) {
      // Lock every key involved in one sorted pass (no lock-order deadlocks), then count the
      // running items per key; other claimers of the same keys wait here until we commit.
      const keys = [...new Set(keyed.flatMap((c) => c.ckeys))].sort();
      await tx.query("select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest($1::text[]) k order by k", [keys]);
      const counts = await tx.query<{ k: string; n: number }>(
        `select k, (select count(*)::int from queue q where q.state = 'running' and q.ckeys <> '{}' and q.ckeys @> array[k]) as n
           from unnest($1::text[]) k`,
        [keys],
      );
      const running = new Map(counts.rows.map((r) => [r.k, r.n]));
      for (const c of cands.rows) {
        const fits = c.ckeys.every((k, i) => (running.get(k) ?? 0) < (c.climits[i] ?? Infinity));
        if (fits) {
          c.ckeys.forEach((k) => running.set(k, (running.get(k) ?? 0) + 1));
          chosen.push(c.id);
        } else parked.push(c.id);
      }
    } else chosen.push(...cands.rows.map((c) => c.id));
    if (parked.length) {
      // Parked until a slot frees (the releasing commit resets run_at); the delay is only a backstop.
      await tx.query("update queue set blocked = true, run_at = $2 where id = any($1)", [
        parked,
        iso(now + Math.max(ctx.opts.pollMs, 1000)),
      ]);
    }
    if (!chosen.length) return [];
    const res = await tx.query<QueueItem>(
      `update queue set state = 'running', blocked = false, lease_token = gen_random_uuid(), lease_until = $2
        where id = any($1) returning id, run_id, kind, step_id, attempt, lease_token, ckeys, climits`,
      [chosen, iso(now + ctx.opts.leaseMs)],
    );
    return res.rows;
  });
}

/**
 * Items whose lease expired (their process died) go back to the queue at the same attempt. Items
 * this process is still executing are skipped: a renewal that ran late (a stalled event loop, a
 * slow database) must not make this process run its own step twice.
 */
export async function rescueExpired(ctx: Ctx, ownItems: number[] = []): Promise<number> {
  const res = await ctx.db.query<{ run_id: string; step_id: string }>(
    `update queue set state = 'queued', lease_token = null, lease_until = null, run_at = $1
      where state = 'running' and lease_until < $1 and not (id = any($2::bigint[])) returning run_id, step_id`,
    [iso(ctx.clock()), ownItems],
  );
  for (const r of res.rows) ctx.log.info("lease expired, step requeued", { run: r.run_id, step: r.step_id });
  return res.rowCount ?? 0;
}

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
  readonly inflight: Inflight = { controllers: new Set(), stopping: false };

  constructor(private readonly ctx: Ctx) {}

  wake = (): void => {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  };

  private async pump() {
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.active + this.reserved < this.ctx.opts.workers) {
          const items = await claim(this.ctx, this.ctx.opts.workers - this.active - this.reserved);
          if (!items.length) break;
          for (const item of items) this.start(item);
        }
      } while (this.again && !this.stopped);
      await this.armTimer();
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

  /** After the ingest commit (or rollback: items = []), run what was leased and free the rest. */
  dispatch(reservedCount: number, items: QueueItem[]) {
    this.reserved -= reservedCount;
    for (const item of items) this.start(item);
    if (reservedCount > items.length) this.wake();
  }

  private start(item: QueueItem) {
    this.active++;
    this.ownItems.add(item.id);
    const p = (async () => {
      let next: QueueItem | null = item;
      try {
        while (next && !this.stopped) next = await processItem(this.ctx, next, this.inflight);
      } catch (err) {
        // The item keeps its lease and is rescued when it expires; the engine keeps running.
        if (!this.stopped) this.ctx.log.warn("item failed", { run: item.run_id, error: (err as Error).message });
      }
    })().finally(() => {
      this.ownItems.delete(item.id);
      this.active--;
      this.running.delete(p);
      this.wake();
    });
    this.running.add(p);
  }

  /** A timer for the next future item (scaled retries and sleeps are often shorter than a poll). */
  private async armTimer() {
    if (this.stopped) return;
    const res = await this.ctx.db.query<{ at: Date | null }>("select min(run_at) as at from queue where state = 'queued'");
    const at = res.rows[0]?.at;
    if (!at) return;
    const delay = Math.max(0, at.getTime() - this.ctx.clock());
    if (delay >= this.ctx.opts.pollMs) return;
    if (this.nextTimer) clearTimeout(this.nextTimer);
    this.nextTimer = setTimeout(() => {
      this.nextTimer = null;
      this.wake();
    }, delay + 1);
  }

  async stop(graceMs = 5000) {
    this.stopped = true;
    this.inflight.stopping = true;
    if (this.nextTimer) clearTimeout(this.nextTimer);
    for (const c of this.inflight.controllers) c.abort();
    const all = Promise.allSettled([...this.running]);
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs))]);
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
