// throttle (notes §4): GCRA over run starts, per function and key. A run over the limit is never
// dropped: it waits, FIFO within its key, in flow_throttle_waiting (outside the queue, so a backlog
// of any size costs the claim nothing), and the key's gate — one 'flow' queue item due at the next
// time the limit allows — admits the waiting runs when it fires.
//
//   emission = period / limit;  dvt = emission × (limit + burst)
//   admit at T ⇔ max(tat, T) + emission − dvt ≤ T;  then tat := max(tat, T) + emission
//
// From idle, `limit + burst` runs start at once, then one every `period / limit`. Admission is
// decided when a run is created (nobody waiting and the limit allows → it starts now) or when the
// gate fires; either way at the engine clock of that moment, so after downtime the backlog resumes at
// the limit instead of starting all at once. A waiting run that was cancelled is skipped without
// using capacity.
import { QUEUE_CHANNEL, type Ctx } from "../context";
import { iso, type Tx } from "../db";
import type { FnDef } from "../functions";
import { ITEM_COLUMNS } from "../queue";
import type { EventPayload, QueueItem } from "../types";
import { sharedKey } from "./keys";
import { lockFunctions } from "./lock";

export type ThrottledRun = { fn: FnDef; event: EventPayload; runId: string; ckeys: string[]; climits: number[] };

type Gcra = { emission: number; dvt: number };
function gcra(ctx: Ctx, fn: FnDef): Gcra | null {
  const t = fn.flow?.throttle;
  if (!t) return null;
  const emission = (t.periodMs * ctx.opts.timeScale) / t.limit;
  return { emission, dvt: emission * (t.limit + t.burst) };
}

/** How many runs the limit admits at `now` given the stored tat (GCRA, a float tolerance). */
function admissible(g: Gcra, tat: number, now: number): number {
  return Math.max(0, Math.floor((now + g.dvt - Math.max(tat, now)) / g.emission + 1e-9));
}

/**
 * Decides, in order, which new runs start now (true) and which wait (false: queued behind their
 * key, with its gate armed). Runs of functions without a throttle start now. Call it before the
 * runs are inserted (the waiting rows reference them, checked at commit) and create the first
 * queue item only for the admitted ones. Takes the functions' flow locks (lock.ts).
 */
export async function throttleRuns(ctx: Ctx, tx: Tx, runs: ThrottledRun[], now: number): Promise<boolean[]> {
  const out = runs.map(() => true);
  const groups = new Map<string, { fn: FnDef; g: Gcra; key: string; idx: number[] }>();
  runs.forEach(({ fn, event }, i) => {
    const g = gcra(ctx, fn);
    if (!g) return;
    const key = sharedKey(ctx, fn.id, "throttle", fn.flow?.throttle?.key, event);
    const k = `${fn.id}\n${key}`;
    const group = groups.get(k) ?? { fn, g, key, idx: [] };
    group.idx.push(i);
    groups.set(k, group);
  });
  if (!groups.size) return out;
  // Callers outside an ingest session (cron, scheduleRun from a flow timer) may not hold the lock yet.
  await lockFunctions(tx, [...groups.values()].map((g) => g.fn.id));
  let waited = 0;
  for (const { fn, g, key, idx } of groups.values()) {
    const state = await tx.query<{ tat_ms: number | null; gate: number | null; queued: boolean }>(
      `select s.tat_ms, q.id as gate,
              exists (select 1 from flow_throttle_waiting w where w.function_id = $1 and w.key = $2) as queued
         from (select 1) one
         left join flow_gcra s on s.kind = 'throttle' and s.function_id = $1 and s.key = $2
         left join queue q on q.id = s.gate_id`,
      [fn.id, key],
    );
    const cur = state.rows[0];
    const tat0 = cur?.tat_ms ?? now;
    // FIFO: while runs of the key wait, a new run queues behind them.
    const admitted = cur?.queued ? 0 : Math.min(idx.length, admissible(g, tat0, now));
    const tat = admitted ? Math.max(tat0, now) + admitted * g.emission : tat0;
    const waiting = idx.slice(admitted);
    let gate = cur?.gate ?? null;
    if (waiting.length || cur?.queued) {
      for (const i of waiting) out[i] = false;
      await tx.query(
        `insert into flow_throttle_waiting (function_id, key, run_id, ckeys, climits)
         select $1, $2, r, array(select jsonb_array_elements_text(c)), array(select jsonb_array_elements_text(l)::int)
           from unnest($3::text[], $4::jsonb[], $5::jsonb[]) with ordinality as t(r, c, l, o) order by o`,
        [
          fn.id,
          key,
          waiting.map((i) => runs[i]!.runId),
          waiting.map((i) => JSON.stringify(runs[i]!.ckeys)),
          waiting.map((i) => JSON.stringify(runs[i]!.climits)),
        ],
      );
      if (!gate) {
        const at = Math.ceil(Math.max(tat, now) + g.emission - g.dvt);
        const item = await tx.query<{ id: number }>(
          "insert into queue (run_id, kind, step_id, state, run_at) values (null, 'flow', 'throttle', 'queued', $1) returning id",
          [iso(at)],
        );
        gate = item.rows[0]?.id ?? null;
        waited++;
      }
      ctx.log.info("runs throttled", { fn: fn.id, key: key.slice(1) || undefined, waiting: waiting.length, started: admitted });
    }
    await tx.query(
      `insert into flow_gcra (kind, function_id, key, tat_ms, gate_id) values ('throttle', $1, $2, $3, $4)
       on conflict (kind, function_id, key) do update set tat_ms = excluded.tat_ms, gate_id = excluded.gate_id`,
      [fn.id, key, tat, gate],
    );
  }
  if (waited) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
  return out;
}

/**
 * A throttle gate fired (its item is claimed and locked by the caller, under the function's flow
 * lock): admits the waiting runs the limit allows now, FIFO, skipping runs that ended meanwhile.
 * The first admitted run is leased to the caller's worker when `direct` allows (so it starts now,
 * not whenever the queue gets to it: a gate is only claimed by a worker with a free slot, so a
 * saturated engine admits later instead of piling admitted runs up). Returns when the gate is due
 * again (null: nobody waits any more, the caller deletes it) and the leased item.
 * With the function gone or no longer throttled, everyone waiting is admitted.
 */
export async function openThrottleGate(
  ctx: Ctx,
  tx: Tx,
  fn: FnDef | undefined,
  fnId: string,
  key: string,
  direct?: { reserve(): boolean },
): Promise<{ next: number | null; claimed?: QueueItem }> {
  const now = ctx.clock();
  const g = fn ? gcra(ctx, fn) : null;
  await tx.query(
    `delete from flow_throttle_waiting w using runs r
      where w.function_id = $1 and w.key = $2 and r.id = w.run_id and r.status <> 'queued'`,
    [fnId, key],
  );
  const state = await tx.query<{ tat_ms: number }>(
    "select tat_ms from flow_gcra where kind = 'throttle' and function_id = $1 and key = $2 for update",
    [fnId, key],
  );
  const tat0 = state.rows[0]?.tat_ms ?? now;
  const limit = g ? admissible(g, tat0, now) : 2 ** 31 - 1;
  const lease = limit > 0 && direct?.reserve() === true;
  // The head is leased (if allowed and it has no concurrency keys, which need the claim's checks).
  const moved = await tx.query<QueueItem>(
    `with h as (
       delete from flow_throttle_waiting where seq in (
         select seq from flow_throttle_waiting where function_id = $1 and key = $2 order by seq limit $3)
       returning seq, run_id, ckeys, climits),
     o as (select h.*, $5::boolean and ckeys = '{}' and seq = (select min(seq) from h) as leased from h)
     insert into queue (run_id, kind, step_id, state, run_at, ckeys, climits, lease_token, lease_until)
     select run_id, 'call', 'step', case when leased then 'running' else 'queued' end, $4, ckeys, climits,
            case when leased then gen_random_uuid() end, case when leased then $6::timestamptz end
       from o order by seq
     returning ${ITEM_COLUMNS}`,
    [fnId, key, limit, iso(now), lease, iso(now + ctx.opts.leaseMs)],
  );
  const admitted = moved.rowCount ?? 0;
  const claimed = moved.rows.find((r) => r.lease_token);
  const tat = g && admitted ? Math.max(tat0, now) + admitted * g.emission : tat0;
  const left = await tx.query("select 1 from flow_throttle_waiting where function_id = $1 and key = $2 limit 1", [fnId, key]);
  const next = left.rowCount && g ? Math.ceil(Math.max(tat, now) + g.emission - g.dvt) : null;
  await tx.query(
    `update flow_gcra set tat_ms = $3, gate_id = case when $4::boolean then gate_id end where kind = 'throttle' and function_id = $1 and key = $2`,
    [fnId, key, tat, next !== null],
  );
  if (admitted > (claimed ? 1 : 0)) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
  ctx.log.info("throttle admitted runs", { fn: fnId, key: key.slice(1) || undefined, runs: admitted, next: next === null ? undefined : iso(next) });
  return { next, claimed };
}

/**
 * A run of a throttled function delayed by a future `ts` (or cron jitter) reserves no throttle
 * capacity when it is scheduled: this timer (a `flow` item, `start:<run id>`) asks the throttle at
 * the run's start time (`startDelayedRun`), so the run waits for its `ts` first, then its turn.
 */
export async function armDelayedStart(tx: Tx, runId: string, at: number): Promise<void> {
  await tx.query("insert into queue (run_id, kind, step_id, state, run_at) values (null, 'flow', $1, 'queued', $2)", [
    `start:${runId}`,
    iso(at),
  ]);
}

/**
 * The start time of a delayed throttled run arrived (its timer is claimed and deleted by the
 * caller, under the function's flow lock): the throttle admits it now (its first queue item, leased
 * to the caller's worker when `direct` allows) or queues it behind its key. A run that ended
 * meanwhile (cancelled) is left alone; the run row is not locked (the flow lock is taken first
 * here, after the run lock elsewhere): a cancel committing meanwhile leaves at most an item the
 * executor drops, or a waiting row the gate skips. With the function gone or no longer throttled
 * it starts.
 */
export async function startDelayedRun(
  ctx: Ctx,
  tx: Tx,
  fn: FnDef | undefined,
  runId: string,
  direct?: { reserve(): boolean },
): Promise<QueueItem | null> {
  const now = ctx.clock();
  const res = await tx.query<{ payload: EventPayload; ckeys: string[]; climits: number[] }>(
    `select e.payload, r.ckeys, r.climits from runs r join events e on e.internal_id = r.event_id
      where r.id = $1 and r.status = 'queued'`,
    [runId],
  );
  const run = res.rows[0];
  if (!run) return null;
  const admitted = fn ? (await throttleRuns(ctx, tx, [{ fn, event: run.payload, runId, ckeys: run.ckeys, climits: run.climits }], now))[0] : true;
  if (!admitted) return null;
  const lease = !run.ckeys.length && direct?.reserve() === true;
  const item = await tx.query<QueueItem>(
    `insert into queue (run_id, kind, step_id, state, run_at, ckeys, climits, lease_token, lease_until)
     values ($1, 'call', 'step', case when $2 then 'running' else 'queued' end, $3, $4, $5,
             case when $2 then gen_random_uuid() end, case when $2 then $6::timestamptz end)
     on conflict (run_id, kind, step_id) do nothing
     returning ${ITEM_COLUMNS}`,
    [runId, lease, iso(now), run.ckeys, run.climits, iso(now + ctx.opts.leaseMs)],
  );
  const claimed = item.rows[0]?.lease_token ? item.rows[0] : null;
  if (!claimed) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
  return claimed;
}
