// The fenced write-back: every outcome of a claimed item is recorded in one transaction that
// first locks the run row and the queue item *with its lease token*. No row means the lease was
// lost (expired and re-claimed by another process), and the result is dropped, so a zombie never
// overwrites work that was re-claimed.
import { QUEUE_CHANNEL, type Ctx } from "./context";
import { iso, withTx, type Tx } from "./db";
import { TERMINAL } from "./run-store";
import type { QueueItem } from "./types";

export class LeaseLost extends Error {
  override name = "LeaseLost";
}

/**
 * What applying an outcome did: the item to continue with (same lease), whether it freed the item's
 * slot, and whether it queued work that is runnable now (other processes are NOTIFYed).
 */
export type Applied = { next: QueueItem | null; releasedSlots: boolean; notify: boolean };

/** Run and item state read under the lock, for the outcome handlers. */
export type Locked = {
  function_id: string;
  /** Request version pinned for the run (1 = every completion runs discovery). */
  version: number;
  /** A race/v1 completion asked this (running) discovery to run again when it ends. */
  rediscover: boolean;
  /** A feature the SDK asked for during the run that the engine lacks (server.ts 501s). */
  refused: string | null;
  started_at: Date | null;
  lease_until: Date | null;
};

const DEADLOCK = "40P01";

export async function writeBack(
  ctx: Ctx,
  item: QueueItem,
  version: number | null,
  startedAt: number,
  apply: (tx: Tx, item: QueueItem, locked: Locked) => Promise<Applied>,
): Promise<QueueItem | null> {
  let applied: Applied | null = null;
  for (let attempt = 1; ; attempt++) {
    try {
      applied = await fencedTx(ctx, item, version, apply);
      break;
    } catch (err) {
      if (err instanceof LeaseLost) {
        ctx.log.warn("lease lost, result dropped", { run: item.run_id, step: item.step_id, after_ms: ctx.clock() - startedAt });
        return null;
      }
      // Resolving waits locks other runs; a rare lock-order conflict is simply retried.
      if ((err as { code?: string }).code === DEADLOCK && attempt < 3) continue;
      throw err;
    }
  }
  if (applied.notify || applied.releasedSlots) ctx.wake();
  return applied.next;
}

function fencedTx(
  ctx: Ctx,
  item: QueueItem,
  version: number | null,
  apply: (tx: Tx, item: QueueItem, locked: Locked) => Promise<Applied>,
): Promise<Applied> {
  return withTx(ctx.db, async (tx) => {
    // Lock order everywhere: run row, then its queue rows. The join is the fence: no row means
    // the lease was lost (rescued and re-claimed) or the item is gone.
    const locked = await tx.query<{ status: string; attempt: number } & Locked>(
      `select r.status, q.attempt, r.function_id, r.version, q.rediscover, r.refused, r.started_at, q.lease_until from runs r join queue q on q.run_id = r.id
        where r.id = $1 and q.id = $2 and q.lease_token = $3 and q.state = 'running' for update of r, q`,
      [item.run_id, item.id, item.lease_token],
    );
    const row = locked.rows[0];
    if (!row) throw new LeaseLost();
    let out: Applied;
    if (TERMINAL.has(row.status)) {
      // The run ended meanwhile (cancelled): the result is dropped, the slot freed.
      await tx.query("delete from queue where id = $1", [item.id]);
      out = { next: null, releasedSlots: true, notify: false };
    } else {
      if (version !== null && row.version === -1) {
        await tx.query("update runs set version = $2 where id = $1 and version = -1", [item.run_id, version]);
        row.version = version;
      }
      // The attempt is re-read: a checkpoint during the request resets it (a step completed).
      out = await apply(tx, { ...item, attempt: row.attempt }, row);
      // A refused API call counts for the request it happened in only.
      if (row.refused) await tx.query("update runs set refused = null where id = $1", [item.run_id]);
    }
    if (out.releasedSlots && item.ckeys.length) {
      await tx.query(
        "update queue set blocked = false, run_at = $2 where state = 'queued' and blocked and ckeys <> '{}' and ckeys && $1",
        [item.ckeys, iso(ctx.clock())],
      );
    }
    // NOTIFY only when work became runnable for other processes: items this write-back queued
    // (`notify`), or parked items a released concurrency slot may admit. Work created elsewhere
    // (runs started by lifecycle events, resumed waits) is notified by whoever created it, and this
    // process is woken directly below.
    if (out.notify || (out.releasedSlots && item.ckeys.length)) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
    return out;
  });
}
