// batchEvents (notes §7): matching events of a key are appended to the function's open batch; the
// batch starts one run when it holds `maxSize` events (≤ 100), when its events reach 10 MiB, or
// `timeout` after its first event (a 'flow' queue item), whichever comes first. A batch is never
// extended. The run's `events` are the batch in append order and `event` is the first; rateLimit
// and idempotency do not apply to it (the run is deduped by the batch id); throttle and
// concurrency do. An event for which the `if` expression is not true bypasses batching and runs
// alone at once.
import type { Ctx } from "../context";
import { iso, type Tx } from "../db";
import type { FnDef } from "../functions";
import type { EventPayload } from "../types";
import { ulid } from "../ulid";
import { MAX_BATCH_BYTES } from "./config";
import { sharedKey } from "./keys";
import type { Schedule, Started } from "./schedule";

export type BatchedEvent = { internalId: string; payload: EventPayload; bytes: number };

/** The bucket the event goes to, "default" without a key expression. */
export function batchKey(ctx: Ctx, fn: FnDef, event: EventPayload): string {
  return sharedKey(ctx, fn.id, "batchEvents", fn.flow?.batch?.key, event) || "default";
}

/**
 * Appends events (in order) to the function's open batch for `key`, opening batches and starting
 * full ones as needed. The caller holds the function's flow lock.
 */
export async function appendToBatch(
  ctx: Ctx,
  tx: Tx,
  fn: FnDef,
  key: string,
  events: BatchedEvent[],
  schedule: Schedule,
  direct?: { reserve(): boolean },
): Promise<{ started: Started[]; timers: number }> {
  const cfg = fn.flow?.batch;
  const started: Started[] = [];
  let timers = 0;
  if (!cfg) return { started, timers };
  let i = 0;
  while (i < events.length) {
    let batch = (
      await tx.query<{ id: string; size: number; bytes: number }>(
        "select id, size, bytes from flow_batches where function_id = $1 and key = $2 and open for update",
        [fn.id, key],
      )
    ).rows[0];
    if (!batch) {
      const now = ctx.clock();
      const id = ulid(now);
      const timeoutAt = now + cfg.timeoutMs * ctx.opts.timeScale;
      await tx.query(
        `with q as (insert into queue (run_id, kind, step_id, state, run_at) values (null, 'flow', $2, 'queued', $3) returning id)
         insert into flow_batches (id, function_id, key, queue_id, created_at) select $1, $4, $5, q.id, $6 from q`,
        [id, `batch:${id}`, iso(timeoutAt), fn.id, key, iso(now)],
      );
      batch = { id, size: 0, bytes: 0 };
      timers++;
      ctx.log.info("batch opened", { fn: fn.id, batch: id, key: key === "default" ? undefined : key.slice(1), starts_by: iso(timeoutAt) });
    }
    // Take events while the batch has room (count and bytes; a lone oversized event still goes in).
    let take = 0;
    let bytes = batch.bytes;
    while (i + take < events.length && batch.size + take < cfg.maxSize) {
      const b = events[i + take]!.bytes;
      if (take + batch.size > 0 && bytes + b > MAX_BATCH_BYTES) break;
      bytes += b;
      take++;
    }
    const chunk = events.slice(i, i + take);
    i += take;
    if (chunk.length) {
      await tx.query(
        `with ins as (insert into flow_batch_events (batch_id, seq, event_id)
                      select $1, $2 + o, e from unnest($3::text[]) with ordinality as t(e, o))
         update flow_batches set size = size + $4, bytes = $5 where id = $1`,
        [batch.id, batch.size, chunk.map((c) => c.internalId), chunk.length, bytes],
      );
      ctx.log.info("events batched", { fn: fn.id, batch: batch.id, events: chunk.length, size: batch.size + chunk.length });
    }
    const full = batch.size + chunk.length >= cfg.maxSize;
    if (full || i < events.length) {
      // Full by count, or by bytes (the next event did not fit).
      const s = await startBatch(ctx, tx, fn, batch.id, full ? "full" : "10 MiB", schedule, direct);
      if (s) started.push(s);
    }
  }
  return { started, timers };
}

/**
 * Closes an open batch and starts its run (same transaction). Its timeout item, if still there, is
 * deleted in whatever state: a worker that claimed it finds it gone and does nothing. The caller
 * holds the function's flow lock. Returns null when the batch was already started.
 */
export async function startBatch(
  ctx: Ctx,
  tx: Tx,
  fn: FnDef | undefined,
  batchId: string,
  reason: string,
  schedule: Schedule,
  direct?: { reserve(): boolean },
): Promise<Started | null> {
  const closed = await tx.query<{ function_id: string; queue_id: number | null; size: number }>(
    "update flow_batches set open = false where id = $1 and open returning function_id, queue_id, size",
    [batchId],
  );
  const b = closed.rows[0];
  if (!b) return null;
  if (b.queue_id !== null) await tx.query("delete from queue where id = $1 and kind = 'flow'", [b.queue_id]);
  if (!fn) {
    ctx.log.warn("batch dropped: function no longer synced", { fn: b.function_id, batch: batchId, events: b.size });
    return null;
  }
  const first = await tx.query<{ internal_id: string; payload: EventPayload }>(
    `select e.internal_id, e.payload from flow_batch_events be join events e on e.internal_id = be.event_id
      where be.batch_id = $1 order by be.seq limit 1`,
    [batchId],
  );
  const head = first.rows[0];
  if (!head) return null;
  const started = await schedule(ctx, tx, fn, head.internal_id, head.payload, direct, { dedupeKey: `batch:${batchId}` });
  if (started) await tx.query("update flow_batches set run_id = $2 where id = $1", [batchId, started.runId]);
  ctx.log.info("batch started", { fn: fn.id, batch: batchId, events: b.size, reason, run: started?.runId });
  return started;
}

/** The events of a batch run in order, or null when the run is not a batch run. */
export async function batchEventsOf(db: Pick<Tx, "query">, runId: string): Promise<EventPayload[] | null> {
  const res = await db.query<{ payload: EventPayload }>(
    `select e.payload from flow_batches b join flow_batch_events be on be.batch_id = b.id join events e on e.internal_id = be.event_id
      where b.run_id = $1 order by be.seq`,
    [runId],
  );
  return res.rows.length ? res.rows.map((r) => r.payload) : null;
}
