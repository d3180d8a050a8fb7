// The event API's common case in one statement, committed on its own: store the events and start
// the runs of plain functions (isPlain: nothing but the event-id dedupe key). The general path
// (ingest.ts inside a transaction) takes five round trips for the same — begin, the events, the
// keys, the runs, commit — and on two shared cores each round trip is a chance to be descheduled:
// it was most of the event → first step latency.
//
// It applies only when it would do exactly what the general path does. Decided before the
// statement: no lifecycle or invoke events, every matching function plain. Decided by the
// statement itself: no open pause (waitForEvent, cancelOn) listens for these event names — if one
// does, nothing is written and the caller takes the general path, which resolves pauses in the
// same transaction. The statement sees the same snapshot the general path's first statement
// would, so "recorded before the event arrived" means the same on both paths.
import { QUEUE_CHANNEL, type Ctx } from "./context";
import { iso } from "./db";
import { DEDUPE_TTL_MS, eventColumns, eventRows, isPlain, matchingFunctions, newRunState, startAt, type Direct, type EventRow, type IncomingEvent, type IngestResult } from "./ingest";
import { ITEM_COLUMNS } from "./queue";
import { RegistryChanged, registryStaleSql } from "./registry";
import type { CarriedRun, QueueItem } from "./types";
import { ulid } from "./ulid";

const SQL = `
with pz as (
  select exists (select 1 from pauses where kind <> 'invoke' and event_name = any($3::text[]) and expires_at > $5) as found,
         ${registryStaleSql(16)} as stale),
ins as (
  insert into events (internal_id, id, name, payload, received_at)
  select i, u, n, p, $5 from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) as t(i, u, n, p)
   where not (select found from pz) and not (select stale from pz)
  on conflict (internal_id) do nothing returning internal_id),
t as (
  select * from unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::bool[], $11::bool[], $12::timestamptz[])
    as t(id, f, e, k, leased, started, at)
   where t.e in (select internal_id from ins)),
k as (
  insert into run_keys (function_id, key, run_id, expires_at) select f, k, id, $13 from t
  on conflict (function_id, key) do update set run_id = excluded.run_id, expires_at = excluded.expires_at
  where run_keys.expires_at <= $5 returning run_id),
r as (
  insert into runs (id, function_id, event_id, status, created_at, started_at)
  select t.id, t.f, t.e, case when t.started then 'running' else 'queued' end, $5, case when t.started then $5::timestamptz end
    from t join k on k.run_id = t.id returning id),
q as (
  insert into queue (run_id, kind, step_id, state, run_at, lease_token, lease_until)
  select t.id, 'call', 'step', case when t.leased then 'running' else 'queued' end, t.at,
         case when t.leased then gen_random_uuid() end, case when t.leased then $14::timestamptz end
    from t join r on r.id = t.id
  returning ${ITEM_COLUMNS})
select (select found from pz) as paused, (select stale from pz) as stale,
       (select coalesce(array_agg(internal_id), '{}') from ins) as fresh,
       (select coalesce(json_agg(q), '[]') from q) as items,
       -- One NOTIFY wakes the other engine processes when a run is queued unleased.
       (select pg_notify($15, '') where exists (select 1 from q where q.lease_token is null))::text as notified`;

/**
 * Null: not applicable (the caller takes the general path); throws RegistryChanged when the
 * functions changed since `registryVersion` (null: no check). Either way nothing was written, and
 * any slots reserved through `direct` are the caller's to give back, as after a rolled-back
 * transaction.
 */
export async function ingestFast(
  ctx: Ctx,
  events: IncomingEvent[],
  seed: string | null,
  direct: Direct,
  registryVersion: number | null,
): Promise<(IngestResult & { queued: boolean }) | null> {
  if (events.some((e) => e.name.startsWith("inngest/"))) return null;
  const now = ctx.clock();
  const rows = eventRows(events, seed, now);
  const planned: { runId: string; fnId: string; row: EventRow; key: string; runAt: number }[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const fn of matchingFunctions(ctx, row.payload)) {
      if (!isPlain(fn)) return null;
      const key = `event:${row.payload.id}`;
      if (seen.has(`${fn.id}\n${key}`)) {
        ctx.log.info("run skipped (duplicate)", { fn: fn.id, event: row.payload.name, key });
        continue;
      }
      seen.add(`${fn.id}\n${key}`);
      planned.push({ runId: ulid(now), fnId: fn.id, row, key, runAt: startAt(ctx, row.delayMs, now) });
    }
  }
  // A delayed start (future ts) is never leased to this process now.
  const leased = planned.map((p) => p.runAt <= now && direct.reserve());
  const started = planned.map((p, i) => leased[i] === true && !ctx.registry.get(p.fnId)?.timeouts.finishMs);
  const res = await ctx.db.query<{ paused: boolean; stale: boolean; fresh: string[]; items: QueueItem[] }>(SQL, [
    ...eventColumns(rows),
    iso(now),
    planned.map((p) => p.runId),
    planned.map((p) => p.fnId),
    planned.map((p) => p.row.internalId),
    planned.map((p) => p.key),
    leased,
    started,
    planned.map((p) => iso(p.runAt)),
    iso(now + DEDUPE_TTL_MS),
    iso(now + ctx.opts.leaseMs),
    QUEUE_CHANNEL,
    registryVersion,
  ]);
  const out = res.rows[0];
  if (out?.stale) throw new RegistryChanged();
  if (!out || out.paused) return null;

  const fresh = new Set(out.fresh);
  const created = new Map(out.items.map((item) => [item.run_id, item]));
  const runIds: string[] = [];
  const claimed: QueueItem[] = [];
  const carried = new Map<number, CarriedRun>();
  planned.forEach((p, i) => {
    const item = created.get(p.runId);
    if (!item) {
      if (fresh.has(p.row.internalId)) ctx.log.info("run skipped (duplicate)", { fn: p.fnId, event: p.row.payload.name, key: p.key });
      return;
    }
    runIds.push(p.runId);
    ctx.log.info("run queued", { run: p.runId, fn: p.fnId, event: p.row.payload.name, ...(p.runAt > now ? { starts_at: iso(p.runAt) } : {}) });
    if (!item.lease_token) return;
    claimed.push(item);
    if (started[i]) carried.set(item.id, newRunState(p.fnId, p.row.payload, now));
  });
  return {
    ids: rows.map((r) => r.internalId),
    runIds,
    claimed,
    fresh: rows.filter((r) => fresh.has(r.internalId)).map((r) => r.payload),
    pauses: [],
    invokeRefusals: [],
    carried,
    queued: runIds.length > claimed.length,
  };
}
