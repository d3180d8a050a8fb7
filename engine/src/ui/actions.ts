// What the UI's buttons do: send, replay, invoke, cancel, rerun. Events go through the same
// acceptance as `POST /e/` (stored, runs started, waits resolved, in one transaction).
import { QUEUE_CHANNEL, type Ctx } from "../context";
import { iso, withTx } from "../db";
import { acceptEvents } from "../events";
import { scheduleRun, validateEvent, type IncomingEvent } from "../ingest";
import { INVOKED_EVENT } from "../pauses";
import { RegistryChanged } from "../registry";
import type { EventPayload } from "../types";
import { ulid } from "../ulid";
import { logUnheard } from "./data";

export class ActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Stores the events and starts their runs; returns their internal ids. */
export async function sendEvents(ctx: Ctx, raw: unknown[]): Promise<string[]> {
  const events: IncomingEvent[] = [];
  for (const [i, r] of raw.entries()) {
    const v = validateEvent(r, i);
    if (typeof v === "string") throw new ActionError(422, v);
    events.push(v);
  }
  if (!events.length) throw new ActionError(422, "no events to send");
  for (let attempt = 1; ; attempt++) {
    try {
      // Checked against functions synced through another process, as on /e/.
      const res = await withTx(ctx.db, (tx) => acceptEvents(ctx, tx, events, null, undefined, ctx.registry.versionForTry(attempt)));
      if (res.queued || res.runIds.length) ctx.wake();
      logUnheard(ctx, res.fresh);
      return res.ids;
    } catch (err) {
      if (err instanceof RegistryChanged) {
        await ctx.registry.reload();
        continue;
      }
      // Resolving waits locks runs: a rare deadlock with a worker is retried, as on /e/.
      if ((err as { code?: string }).code === "40P01" && attempt < 3) continue;
      throw err;
    }
  }
}

/**
 * The event again, as a new event: without its `id` (the same id would be deduplicated and start
 * nothing) and stamped now.
 */
export async function replayEvent(ctx: Ctx, internalId: string): Promise<string> {
  const row = await ctx.db.query<{ payload: EventPayload }>("select payload from events where internal_id = $1", [internalId]);
  const p = row.rows[0]?.payload;
  if (!p) throw new ActionError(404, "event not found");
  if (p.name.startsWith("inngest/")) throw new ActionError(422, `"${p.name}" is the engine's own event; it cannot be replayed`);
  const [id] = await sendEvents(ctx, [{ name: p.name, data: p.data, user: p.user, ...(p.v ? { v: p.v } : {}) }]);
  return id!;
}

/**
 * Invokes a function directly, whatever its triggers, as the Dev Server's "Invoke" does: an
 * `inngest/function.invoked` event naming it, with `data` from the payload.
 */
export async function invokeFunction(ctx: Ctx, fnId: string, payload: unknown): Promise<string> {
  if (!ctx.registry.get(fnId)) throw new ActionError(404, `function "${fnId}" is not synced`);
  const body = (payload ?? {}) as { data?: unknown; user?: unknown };
  if (typeof body !== "object" || Array.isArray(body)) throw new ActionError(422, 'the payload must be an object such as {"data": {}}');
  const data = body.data ?? {};
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new ActionError(422, '"data" must be an object');
  const [id] = await sendEvents(ctx, [
    { name: INVOKED_EVENT, data: { ...(data as Record<string, unknown>), _inngest: { fn_id: fnId } }, ...(body.user ? { user: body.user } : {}) },
  ]);
  return id!;
}

/**
 * A new run of the same function with the same trigger event (a batch run: the same batch), from
 * the start. A deliberate rerun: neither the event-id dedupe nor the idempotency key of the first
 * run stops it; concurrency, throttle, cancelOn and timeouts apply as to any run (rateLimit,
 * debounce and batching, which decide whether events start a run at all, do not).
 */
export async function rerun(ctx: Ctx, runId: string): Promise<string> {
  const fnId = (await ctx.db.query<{ function_id: string }>("select function_id from runs where id = $1", [runId])).rows[0]?.function_id;
  if (!fnId) throw new ActionError(404, "run not found");
  const fn = ctx.registry.get(fnId);
  if (!fn) throw new ActionError(409, `function "${fnId}" is no longer synced; sync its app first`);
  const created = await withTx(ctx.db, async (tx) => {
    const ev = await tx.query<{ event_id: string; payload: EventPayload }>(
      "select r.event_id, e.payload from runs r join events e on e.internal_id = r.event_id where r.id = $1",
      [runId],
    );
    const row = ev.rows[0];
    if (!row) throw new ActionError(404, "the run's event is gone");
    // The dedupe key is the (unique) rerun id instead of the event's id; the function still
    // receives the original event, read by the run from its event row.
    const keyed = { ...row.payload, id: `rerun:${ulid(ctx.clock())}` };
    const res = await scheduleRun(ctx, tx, { ...fn, idempotency: undefined }, row.event_id, keyed);
    if (!res) throw new ActionError(409, "the rerun was not scheduled");
    // A batch run (batchEvents) reads its events from its batch: the rerun gets a closed copy.
    const batch = await tx.query<{ id: string }>("select id from flow_batches where run_id = $1", [runId]);
    const from = batch.rows[0];
    if (from) {
      const copy = ulid(ctx.clock());
      await tx.query(
        `insert into flow_batches (id, function_id, key, open, size, bytes, created_at, run_id)
         select $2, function_id, key, false, size, bytes, $3, $4 from flow_batches where id = $1`,
        [from.id, copy, iso(ctx.clock()), res.runId],
      );
      await tx.query("insert into flow_batch_events (batch_id, seq, event_id) select $2, seq, event_id from flow_batch_events where batch_id = $1", [
        from.id,
        copy,
      ]);
    }
    await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
    return res.runId;
  });
  ctx.wake();
  ctx.log.info("run rerun", { run: created, from: runId, fn: fnId });
  return created;
}
