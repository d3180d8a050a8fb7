// debounce (notes §6): the first event of a key opens a debounce whose timer (a 'flow' queue item)
// fires `period` later; each later event of the key replaces the stored event (last event wins) and
// pushes the timer to now + period, never past `timeout` after the first event. When the timer fires,
// one run starts with the last event (rateLimit is not checked again; event-id dedupe and throttle
// apply), no earlier than that event's future `ts` if it had one. An event older (by `ts`) than the
// stored one is ignored. If the timer was already claimed (firing), the event opens a new debounce.
//
// The timer row is the debounce's clock: moving it is one UPDATE that succeeds only while the item is
// still queued, which is exactly "not firing yet" (a claim takes it with SKIP LOCKED, and an item we
// have locked is skipped by claimers until we commit).
import type { Ctx } from "../context";
import { iso, type Tx } from "../db";
import type { FnDef } from "../functions";
import type { EventPayload } from "../types";
import { ulid } from "../ulid";
import { sharedKey } from "./keys";
import type { Schedule, Started } from "./schedule";

/** Holds the event in its function's debounce. The caller holds the function's flow lock. */
export async function debounceEvent(
  ctx: Ctx,
  tx: Tx,
  fn: FnDef,
  eventInternalId: string,
  event: EventPayload,
  delayMs?: number,
): Promise<void> {
  const d = fn.flow?.debounce;
  if (!d) return;
  const key = sharedKey(ctx, fn.id, "debounce", d.key, event);
  const now = ctx.clock();
  const period = d.periodMs * ctx.opts.timeScale;
  // A future `ts`: the run the debounce fires with this event starts no earlier (notes §9).
  const startAt = delayMs && delayMs > 0 ? iso(now + delayMs * ctx.opts.timeScale) : null;
  const cur = await tx.query<{ id: string; queue_id: number; event_ts: number; deadline: Date | null }>(
    "select id, queue_id, event_ts, deadline from flow_debounces where function_id = $1 and key = $2 and open for update",
    [fn.id, key],
  );
  const open = cur.rows[0];
  if (open) {
    if (event.ts < open.event_ts) {
      ctx.log.info("event ignored by debounce (older than the pending event)", { fn: fn.id, event: event.id, debounce: open.id });
      return;
    }
    const fireAt = open.deadline ? Math.min(now + period, open.deadline.getTime()) : now + period;
    const moved = await tx.query("update queue set run_at = $2 where id = $1 and state = 'queued'", [open.queue_id, iso(fireAt)]);
    if (moved.rowCount) {
      await tx.query("update flow_debounces set event_id = $2, event_ts = $3, start_at = $4 where id = $1", [open.id, eventInternalId, event.ts, startAt]);
      ctx.log.info("run debounced", { fn: fn.id, event: event.name, debounce: open.id, fire_at: iso(fireAt) });
      return;
    }
    // Its timer is firing: the event starts a new debounce.
    await tx.query("update flow_debounces set open = false where id = $1", [open.id]);
  }
  const id = ulid(now);
  const deadline = d.timeoutMs === undefined ? null : now + d.timeoutMs * ctx.opts.timeScale;
  const fireAt = deadline === null ? now + period : Math.min(now + period, deadline);
  const item = await tx.query<{ id: number }>(
    "insert into queue (run_id, kind, step_id, state, run_at) values (null, 'flow', $1, 'queued', $2) returning id",
    [`debounce:${id}`, iso(fireAt)],
  );
  await tx.query(
    `insert into flow_debounces (id, function_id, key, queue_id, event_id, event_ts, created_at, deadline, start_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, fn.id, key, item.rows[0]?.id, eventInternalId, event.ts, iso(now), deadline === null ? null : iso(deadline), startAt],
  );
  ctx.log.info("run debounced", { fn: fn.id, event: event.name, debounce: id, fire_at: iso(fireAt) });
}

/**
 * The debounce's timer fired (its queue item is already deleted by the caller, under the function's
 * flow lock): start the run with the last event.
 */
export async function fireDebounce(
  ctx: Ctx,
  tx: Tx,
  fn: FnDef | undefined,
  id: string,
  schedule: Schedule,
  direct: { reserve(): boolean },
): Promise<Started | null> {
  const del = await tx.query<{ function_id: string; event_id: string; payload: EventPayload; start_at: Date | null }>(
    `with d as (delete from flow_debounces where id = $1 returning function_id, event_id, start_at)
     select d.function_id, d.event_id, d.start_at, e.payload from d join events e on e.internal_id = d.event_id`,
    [id],
  );
  const row = del.rows[0];
  if (!row) return null;
  if (!fn) {
    ctx.log.warn("debounce dropped: function no longer synced", { fn: row.function_id, debounce: id, event: row.payload.id });
    return null;
  }
  const wait = row.start_at ? row.start_at.getTime() - ctx.clock() : 0;
  const started = await schedule(ctx, tx, fn, row.event_id, row.payload, direct, wait > 0 ? { delayMs: wait / ctx.opts.timeScale } : undefined);
  ctx.log.info("debounce fired", { fn: fn.id, debounce: id, event: row.payload.id, run: started?.runId });
  return started;
}
