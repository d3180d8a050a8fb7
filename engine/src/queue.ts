// The queue table: claiming due items (FOR UPDATE SKIP LOCKED, per-key concurrency), rescuing
// items whose lease expired, and the small mutations other modules make to queue rows.
import { backoffMs, retryAfterMs } from "./backoff";
import type { Ctx } from "./context";
import { iso, withTx, type Tx } from "./db";
import type { CarriedRun, EventPayload, QueueItem, QueueKind } from "./types";

/** The columns of a claimed item, in `returning` clauses. */
export const ITEM_COLUMNS = "id, run_id, kind, step_id, attempt, lease_token, ckeys, climits, race";

/**
 * The fast claim: $1 now, $2 how many, $3 lease until. Exported so a test can check its plan on a
 * fresh database (see createPool's enable_seqscan).
 */
export const CLAIM_SQL = `with c as (
       select id from queue where state = 'queued' and run_at <= $1 and ckeys = '{}'
        order by run_at, id limit $2 for update skip locked),
     u as (
       update queue q set state = 'running', blocked = false, lease_token = gen_random_uuid(), lease_until = $3
         from c where q.id = c.id returning q.id, q.run_id, q.kind, q.step_id, q.attempt, q.lease_token, q.ckeys, q.climits, q.race),
     st as (
       update runs set status = 'running', started_at = $1
        where id in (select run_id from u where kind = 'call') and status = 'queued' returning id, started_at)
     select u.*, null::boolean as keyed_due, null::timestamptz as next_due,
            r.function_id, case when st.id is not null then 'running' else r.status end as run_status, r.version, r.force_plan,
            e.payload, st.id is not null as started, r.created_at, coalesce(r.started_at, st.started_at) as started_at,
            case when r.id is not null then coalesce((select json_agg(json_build_array(s.step_id, s.result) order by s.seq) from steps s where s.run_id = r.id), '[]') end as steps
       from u left join runs r on r.id = u.run_id and u.kind = 'call'
              left join events e on e.internal_id = r.event_id
              left join st on st.id = r.id
     union all
     select null, null, null, null, null, null, null, null, null,
            exists (select 1 from queue where state = 'queued' and run_at <= $1 and ckeys <> '{}'),
            (select min(run_at) from queue where state = 'queued' and run_at > $1),
            null, null, null, null, null, null, null, null, null`;

/**
 * Claims up to `n` due items, skipping (and parking) those whose concurrency keys are full. Also
 * returns when the next queued item is due (null: none), so the worker arms its timer without
 * another query; after a keyed claim (which may park items) that is left undefined.
 */
export async function claim(ctx: Ctx, n: number): Promise<{ items: QueueItem[]; carried?: Map<number, CarriedRun>; nextDue?: number | null }> {
  if (n <= 0) return { items: [] };
  // Fast path, one statement: items without concurrency keys, and for SDK calls the run's state (as
  // loadRun would load it, marking a queued run started), so the worker does not load it again. It
  // also reports whether keyed items are due, which need the locking path below, and the time of
  // the next item not due yet.
  const now = ctx.clock();
  // On the async-commit pool: a claim lost in a crash only means the item is claimed again.
  const fast = await ctx.lightDb.query<ClaimRow>(
    CLAIM_SQL,
    [iso(now), n, iso(now + ctx.opts.leaseMs)],
  );
  const meta = fast.rows.find((r) => r.keyed_due !== null);
  const items: QueueItem[] = [];
  const carried = new Map<number, CarriedRun>();
  for (const r of fast.rows) {
    if (r.keyed_due !== null) continue;
    items.push({ id: r.id, run_id: r.run_id, kind: r.kind, step_id: r.step_id, attempt: r.attempt, lease_token: r.lease_token, ckeys: r.ckeys, climits: r.climits, race: r.race });
    if (r.function_id !== null && r.payload !== null && r.steps !== null && r.created_at !== null) {
      carried.set(r.id, {
        function_id: r.function_id,
        status: r.run_status!,
        version: r.version!,
        force_plan: r.force_plan!,
        payload: r.payload,
        steps: r.steps,
        created_at: r.created_at,
        started_at: r.started_at,
        started: r.started === true,
      });
    }
  }
  const nextDue = meta?.next_due ? meta.next_due.getTime() : null;
  if (!meta?.keyed_due || items.length >= n) return { items, carried, nextDue };
  return { items: [...items, ...(await claimKeyed(ctx, n - items.length))], carried };
}

/** A row of the fast claim: the item, the meta columns (on their own row), the run's state for calls. */
type ClaimRow = QueueItem & {
  keyed_due: boolean | null;
  next_due: Date | null;
  function_id: string | null;
  run_status: string | null;
  version: number | null;
  force_plan: boolean | null;
  payload: EventPayload | null;
  started: boolean | null;
  created_at: Date | null;
  started_at: Date | null;
  steps: [string, unknown][] | null;
};

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
        where id = any($1) returning ${ITEM_COLUMNS}`,
      [chosen, iso(now + ctx.opts.leaseMs)],
    );
    return res.rows;
  });
}

/**
 * Items whose lease expired (their process died) go back to the queue at the same attempt, one
 * rescue counted. Items this process is still executing are skipped: a renewal that ran late (a
 * stalled event loop, a slow database) must not make this process run its own step twice. Items
 * that would reach `maxRescues` are not requeued but returned (still holding their expired
 * lease), for the caller to fail their run.
 */
export async function rescueExpired(ctx: Ctx, ownItems: number[] = []): Promise<{ requeued: number; overCap: QueueItem[] }> {
  const now = iso(ctx.clock());
  // Flow-control timers (`flow`, no run) are exempt from the cap: they run engine code only, and
  // a timer left unrescued would hold its debounce, batch or throttle key forever.
  const res = await ctx.db.query<{ run_id: string | null; step_id: string; rescues: number }>(
    `update queue set state = 'queued', lease_token = null, lease_until = null, run_at = $1, rescues = rescues + 1
      where state = 'running' and lease_until < $1 and not (id = any($2::bigint[])) and (rescues + 1 < $3 or kind = 'flow')
      returning run_id, step_id, rescues`,
    [now, ownItems, ctx.opts.maxRescues],
  );
  for (const r of res.rows) ctx.log.info("lease expired, step requeued", { run: r.run_id ?? undefined, step: r.step_id, rescues: r.rescues });
  const over = await ctx.db.query<QueueItem>(
    `select ${ITEM_COLUMNS} from queue
      where state = 'running' and lease_until < $1 and not (id = any($2::bigint[])) and rescues + 1 >= $3 and kind <> 'flow'`,
    [now, ownItems, ctx.opts.maxRescues],
  );
  return { requeued: res.rowCount ?? 0, overCap: over.rows };
}

/** Gives a claimed item back to the queue unchanged (same attempt), for another worker or process. */
export async function releaseItem(ctx: Ctx, item: QueueItem): Promise<void> {
  await ctx.db.query("update queue set state = 'queued', lease_token = null, lease_until = null where id = $1 and lease_token = $2", [
    item.id,
    item.lease_token,
  ]);
}

/**
 * Queues more work for the item's run: a planned step, a sleep's wake-up, a wait's timeout. A
 * pending duplicate, or a step that already has a result (the SDK re-reports unresolved steps on
 * every discovery), is a no-op. Returns whether a row was created. Timeouts never wait on
 * concurrency slots (waiting does not count against concurrency).
 */
export async function enqueue(
  tx: Tx,
  from: QueueItem,
  kind: Exclude<QueueKind, "deadline">,
  stepId: string,
  runAt: number,
  race = false,
): Promise<boolean> {
  const keyed = kind !== "timeout";
  const res = await tx.query(
    `insert into queue (run_id, kind, step_id, state, run_at, ckeys, climits, race)
     select $1, $2, $3, 'queued', $4, $5, $6, $7
      where not exists (select 1 from steps where run_id = $1 and step_id = $3)
     on conflict (run_id, kind, step_id) do nothing`,
    [from.run_id, kind, stepId, iso(runAt), keyed ? from.ckeys : [], keyed ? from.climits : [], race],
  );
  return (res.rowCount ?? 0) > 0;
}

/** A run-level timer (timeouts.start / timeouts.finish); never a pending step, never keyed. */
export async function enqueueDeadline(tx: Tx | Ctx["db"], runId: string, which: "start" | "finish", runAt: number) {
  await tx.query(
    `insert into queue (run_id, kind, step_id, state, run_at) values ($1, 'deadline', $2, 'queued', $3)
     on conflict (run_id, kind, step_id) do nothing`,
    [runId, which, iso(runAt)],
  );
}

/**
 * Work finished outside a worker (an event resumed a wait, an invoked run finished): queue a
 * discovery call when nothing else of the run is pending, or at once when `immediate` (race mode,
 * request version 1). A discovery already queued will see the new state; one running is told to
 * run again when it ends. Returns whether a worker should be woken.
 */
export async function requestDiscovery(ctx: Ctx, tx: Tx, runId: string, immediate: boolean): Promise<boolean> {
  const res = await tx.query<{ inserted: boolean }>(
    `insert into queue (run_id, kind, step_id, state, run_at, ckeys, climits)
     select r.id, 'call', 'step', 'queued', $2, r.ckeys, r.climits from runs r
      where r.id = $1 and ($3 or not exists (select 1 from queue o where o.run_id = $1 and o.kind <> 'deadline'))
     on conflict (run_id, kind, step_id) do update set rediscover = true where queue.state = 'running'
     returning (xmax = 0) as inserted`,
    [runId, iso(ctx.clock()), immediate],
  );
  const row = res.rows[0];
  if (row?.inserted) await updateForcePlan(tx, runId);
  return row?.inserted === true;
}

/** Puts the item back at attempt + 1 after the backoff (or the app's retry-after). */
export async function scheduleRetry(
  ctx: Ctx,
  tx: Tx,
  item: QueueItem,
  retryAfter: string | null,
): Promise<{ retryAt: number; at: number }> {
  const now = ctx.clock();
  const delay = retryAfterMs(retryAfter, now) ?? backoffMs(item.attempt, ctx.random);
  const retryAt = now + delay * ctx.opts.timeScale;
  await tx.query(
    `update queue set attempt = attempt + 1, state = 'queued', run_at = $2, lease_token = null, lease_until = null, blocked = false
      where id = $1`,
    [item.id, iso(retryAt)],
  );
  return { retryAt, at: now };
}

/**
 * Before a discovery: `disable_immediate_execution` (runs.force_plan) stays on exactly while
 * another step of the run is queued or in flight (a race/v1 discovery), so the SDK plans a new step
 * instead of running it inline next to one that may be executing.
 */
export async function updateForcePlan(tx: Tx, runId: string): Promise<void> {
  await tx.query(
    `update runs r set force_plan = x.f
       from (select exists (select 1 from queue o where o.run_id = $1 and o.kind = 'call' and o.step_id <> 'step') as f) x
      where r.id = $1 and r.force_plan <> x.f`,
    [runId],
  );
}
