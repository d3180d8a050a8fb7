// Events in, runs out. Everything happens inside the caller's transaction, so an event is
// acknowledged only after it and the runs it starts are committed together. The statement that
// stores the events also returns the open pauses they may resolve (resolved by events.ts).
import { evaluateKey, matches, type Compiled } from "./cel";
import { QUEUE_CHANNEL, type Ctx } from "./context";
import { iso, type Tx } from "./db";
import { armDelayedStart, FlowIngest, throttleRuns, type InvokeRefusal, type ScheduleOptions } from "./flow-control";
import type { FnDef } from "./functions";
import { RegistryChanged, registryStaleSql } from "./registry";
import { createCancelPauses, FINISHED_EVENT, INVOKED_EVENT, pauseLookupSql, type PauseRow } from "./pauses";
import { unstorableIn, unstorableRefusal } from "./unstorable";
import { enqueueDeadline, ITEM_COLUMNS } from "./queue";
import type { CarriedRun, EventPayload, QueueItem } from "./types";
import { seededUlid, ulid } from "./ulid";

export const DEDUPE_TTL_MS = 24 * 3600 * 1000;

export type IncomingEvent = {
  id?: string;
  name: string;
  data?: Record<string, unknown>;
  ts?: number;
  user?: Record<string, unknown>;
  v?: string;
  meta?: Record<string, unknown>;
  /**
   * Start the runs this long after receipt (a future `ts`, measured by the event API against the
   * wall clock the sender stamped it with; see `startDelayMs`). Unset: start now.
   */
  delayMs?: number;
};

/**
 * `claimed`: first queue items inserted already leased to this process (see `Direct`).
 * `fresh`: the events stored by this call (not a retried send's), in order; `pauses`: the open
 * pauses those events may resolve.
 */
export type IngestResult = {
  ids: string[];
  runIds: string[];
  claimed: QueueItem[];
  fresh: EventPayload[];
  pauses: PauseRow[];
  /** step.invoke calls whose child rateLimit skipped: events.ts fails the parent's step at once. */
  invokeRefusals: InvokeRefusal[];
  /** The state of runs in `claimed` that were started here, by queue id (the worker skips loading it). */
  carried: Map<number, CarriedRun>;
};

/**
 * Direct dispatch: when this process has a free worker slot, a new run's first item is inserted
 * already leased to it and handed to the worker after commit, skipping a claim round trip. If the
 * process dies before running it, the lease expires and any process picks it up.
 */
export type Direct = { reserve(): boolean };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates one event from a request body; returns an error message or the event. `suspect`: the
 * body's text may hold a character jsonb cannot store (unstorable.ts), so the event is searched.
 */
export function validateEvent(raw: unknown, index: number, suspect = true): IncomingEvent | string {
  if (!isObject(raw)) return `event ${index}: must be an object`;
  const e = raw;
  if (typeof e.name !== "string" || !e.name.trim()) return `event ${index}: "name" must be a non-empty string`;
  if (e.data !== undefined && e.data !== null && !isObject(e.data)) return `event ${index}: "data" must be an object`;
  if (e.id !== undefined && e.id !== null && (typeof e.id !== "string" || e.id.length > 512)) {
    return `event ${index}: "id" must be a string (≤ 512 chars)`;
  }
  if (e.ts !== undefined && e.ts !== null && (typeof e.ts !== "number" || !Number.isFinite(e.ts))) {
    return `event ${index}: "ts" must be a number of milliseconds`;
  }
  if (e.user !== undefined && e.user !== null && !isObject(e.user)) return `event ${index}: "user" must be an object`;
  if (e.meta !== undefined && e.meta !== null && !isObject(e.meta)) return `event ${index}: "meta" must be an object`;
  const found = suspect ? unstorableIn(e) : null;
  if (found) return unstorableRefusal(`event ${index}`, found);
  return {
    name: e.name,
    id: typeof e.id === "string" && e.id ? e.id : undefined,
    data: (e.data as Record<string, unknown> | undefined) ?? {},
    ts: typeof e.ts === "number" ? e.ts : undefined,
    user: (e.user as Record<string, unknown> | undefined) ?? {},
    v: typeof e.v === "string" ? e.v : undefined,
    meta: isObject(e.meta) ? e.meta : undefined,
  };
}

/**
 * An event whose `ts` lies in the future starts its runs at `ts` (Inngest enqueues the start item
 * at `ts`, notes §9). Senders stamp `ts` with their wall clock (the SDK fills in `Date.now()`), so
 * the event API measures the delay against the wall clock at receipt; the run then starts that
 * long after receipt on the engine clock (the same instant in production, where the engine clock
 * is the wall clock), scaled like every other delay. An injected engine clock thus never turns an
 * SDK-stamped `ts` into a delay.
 */
export function startDelayMs(ts: number | undefined, wallNow: number): number | undefined {
  return ts !== undefined && ts > wallNow ? ts - wallNow : undefined;
}

export type EventRow = { internalId: string; payload: EventPayload; delayMs?: number };

/** The stored form of incoming events: internal ids (seeded for a retried send) and payloads. */
export function eventRows(events: IncomingEvent[], seed: string | null | undefined, now: number): EventRow[] {
  return events.map((e, i) => {
    const internalId = (seed ? seededUlid(seed, i) : null) ?? ulid(now);
    const payload: EventPayload = {
      id: e.id ?? internalId,
      name: e.name,
      data: e.data ?? {},
      ts: e.ts ?? now,
      user: e.user ?? {},
      ...(e.v ? { v: e.v } : {}),
      ...(e.meta ? { meta: e.meta } : {}),
    };
    return { internalId, payload, delayMs: e.delayMs };
  });
}

/** The parameters of the statement that stores event rows (`insert into events … unnest($1..$4)`). */
export const eventColumns = (rows: EventRow[]) => [
  rows.map((r) => r.internalId),
  rows.map((r) => r.payload.id),
  rows.map((r) => r.payload.name),
  rows.map((r) => JSON.stringify(r.payload)),
];

/**
 * A function whose runs need nothing but the event-id dedupe key: no idempotency, concurrency,
 * cancelOn, start timeout or flow control (what the event API's single statement handles,
 * ingest-fast.ts).
 */
export const isPlain = (fn: FnDef): boolean =>
  !fn.idempotency && !fn.concurrency.length && !fn.cancel.length && !fn.timeouts.startMs && !fn.flow;

export const startAt = (ctx: Ctx, delayMs: number | undefined, now: number): number =>
  delayMs && delayMs > 0 ? now + delayMs * ctx.opts.timeScale : now;

/** The worker's view of a run this process creates, leases and starts (nothing to load). */
export const newRunState = (fnId: string, payload: EventPayload, now: number): CarriedRun => {
  const at = new Date(now);
  return { function_id: fnId, status: "running", version: -1, force_plan: false, payload, steps: [], created_at: at, started_at: at, started: true };
};

/**
 * Stores events and schedules every matching function. With the SDK's id seed, a retried send
 * maps to the same internal ids and is recognised as already stored (no second run).
 */
export async function ingestEvents(
  ctx: Ctx,
  tx: Tx,
  events: IncomingEvent[],
  seed?: string | null,
  direct?: Direct,
  /** The event API's check (RegistryChanged, registry.ts); the engine's own events are not checked. */
  registryVersion: number | null = null,
): Promise<IngestResult> {
  const now = ctx.clock();
  const runIds: string[] = [];
  const claimed: QueueItem[] = [];
  const carried = new Map<number, CarriedRun>();
  const rows = eventRows(events, seed, now);
  const ids = rows.map((r) => r.internalId);
  // All events in one statement; ids already present are a retried send we committed before. The
  // same statement reads the pauses these events may resolve: only pauses committed before it
  // ("recorded" before the event arrived) are seen.
  const correlationIds = rows
    .filter((r) => r.payload.name === FINISHED_EVENT && typeof r.payload.data.correlation_id === "string")
    .map((r) => r.payload.data.correlation_id as string);
  const inserted = await tx.query<{ fresh: string[]; pauses: PauseRow[]; stale: boolean }>(
    `with ins as (
       insert into events (internal_id, id, name, payload, received_at)
       select i, u, n, p, $5 from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) as t(i, u, n, p)
       on conflict (internal_id) do nothing returning internal_id)
     select (select coalesce(array_agg(internal_id), '{}') from ins) as fresh, (${pauseLookupSql(3, 6, 5)}) as pauses,
            ${registryStaleSql(7)} as stale`,
    [...eventColumns(rows), iso(now), correlationIds, registryVersion],
  );
  if (inserted.rows[0]?.stale) throw new RegistryChanged();
  const fresh = new Set(inserted.rows[0]?.fresh ?? []);

  // Functions with only the event-id key, no concurrency keys, no cancelOn and no start timeout
  // are scheduled in bulk; the others one by one.
  const bulk: { fn: FnDef; internalId: string; payload: EventPayload; key: string; delayMs?: number }[] = [];
  const seen = new Set<string>();
  // Flow control (flow-control/): batchEvents and debounce hold events, rateLimit skips runs,
  // throttle (throttleRuns, below and in scheduleRun) holds runs over the limit. Locks the flow
  // state of the functions involved first.
  const flow = await FlowIngest.open(ctx, tx, rows.filter((r) => fresh.has(r.internalId)).map((r) => r.payload), matchingFunctions, scheduleRun, direct);
  for (const r of rows) {
    if (!fresh.has(r.internalId)) continue;
    for (const fn of matchingFunctions(ctx, r.payload)) {
      if (flow && (await flow.intercept(fn, r.internalId, r.payload, r.delayMs))) continue;
      // A delayed start of a throttled function waits for its ts first, then for the throttle
      // (scheduleRun arms a start timer instead of reserving throttle capacity now).
      if (fn.idempotency || fn.concurrency.length || fn.cancel.length || fn.timeouts.startMs || (fn.flow?.throttle && r.delayMs)) {
        const scheduled = await scheduleRun(ctx, tx, fn, r.internalId, r.payload, direct, { delayMs: r.delayMs });
        if (scheduled) runIds.push(scheduled.runId);
        if (scheduled?.claimed) claimed.push(scheduled.claimed);
        continue;
      }
      const key = `event:${r.payload.id}`;
      const dedupe = `${fn.id}\n${key}`;
      if (seen.has(dedupe)) {
        ctx.log.info("run skipped (duplicate)", { fn: fn.id, event: r.payload.name, key });
        continue;
      }
      seen.add(dedupe);
      bulk.push({ fn, internalId: r.internalId, payload: r.payload, key, delayMs: r.delayMs });
    }
  }
  if (bulk.length) {
    const planned = bulk.map((b) => ({ ...b, runId: ulid(now), runAt: startAt(ctx, b.delayMs, now) }));
    const taken = await tx.query<{ run_id: string }>(
      `insert into run_keys (function_id, key, run_id, expires_at)
       select f, k, r, $4 from unnest($1::text[], $2::text[], $3::text[]) as t(f, k, r)
       on conflict (function_id, key) do update set run_id = excluded.run_id, expires_at = excluded.expires_at
       where run_keys.expires_at <= $5 returning run_id`,
      [planned.map((p) => p.fn.id), planned.map((p) => p.key), planned.map((p) => p.runId), iso(now + DEDUPE_TTL_MS), iso(now)],
    );
    const won = new Set(taken.rows.map((r) => r.run_id));
    const create = planned.filter((p) => won.has(p.runId));
    for (const p of planned) {
      if (!won.has(p.runId)) ctx.log.info("run skipped (duplicate)", { fn: p.fn.id, event: p.payload.name, key: p.key });
    }
    if (create.length) {
      // throttle: runs over the limit wait for their key's gate and get no queue item yet
      // (flow-control/throttle.ts). Delayed runs of throttled functions took the scheduleRun path.
      const admitted = await throttleRuns(ctx, tx, create.map((c) => ({ fn: c.fn, event: c.payload, runId: c.runId, ckeys: [], climits: [] })), now);
      // A delayed start (future ts) is never leased to this process now.
      const leased = create.map((c, i) => admitted[i] === true && c.runAt <= now && direct?.reserve() === true);
      // A run leased to this process here is started here too (inserted 'running'; its first request
      // follows at once), unless it has a timeouts.finish: the first request's loadRun arms that.
      const started = create.map((c, i) => leased[i] === true && !c.fn.timeouts.finishMs);
      const res = await tx.query<QueueItem>(
        `with t as (select * from unnest($1::text[], $2::text[], $3::text[], $6::bool[], $7::timestamptz[], $8::bool[], $9::bool[]) as t(id, f, e, leased, at, admitted, started)),
              r as (insert into runs (id, function_id, event_id, status, created_at, started_at)
                    select id, f, e, case when started then 'running' else 'queued' end, $4, case when started then $4::timestamptz end from t returning id)
         insert into queue (run_id, kind, step_id, state, run_at, lease_token, lease_until)
         select t.id, 'call', 'step', case when t.leased then 'running' else 'queued' end, t.at,
                case when t.leased then gen_random_uuid() end, case when t.leased then $5::timestamptz end
           from t join r on r.id = t.id where t.admitted
         returning ${ITEM_COLUMNS}`,
        [
          create.map((c) => c.runId),
          create.map((c) => c.fn.id),
          create.map((c) => c.internalId),
          iso(now),
          iso(now + ctx.opts.leaseMs),
          leased,
          create.map((c) => iso(c.runAt)),
          admitted,
          started,
        ],
      );
      create.forEach((c, i) => {
        runIds.push(c.runId);
        ctx.log.info("run queued", {
          run: c.runId,
          fn: c.fn.id,
          event: c.payload.name,
          ...(c.runAt > now ? { starts_at: iso(c.runAt) } : {}),
          ...(admitted[i] ? {} : { throttled: true }),
        });
      });
      // The worker needs nothing loaded for a run started here.
      const created = new Map(create.flatMap((c, i) => (started[i] ? [[c.runId, c] as const] : [])));
      for (const item of res.rows) {
        if (!item.lease_token) continue;
        claimed.push(item);
        const c = created.get(item.run_id);
        if (!c) continue;
        carried.set(item.id, newRunState(c.fn.id, c.payload, now));
      }
    }
  }
  // Batches that filled up start now (flow-control/batch.ts).
  for (const s of (await flow?.finish()) ?? []) {
    runIds.push(s.runId);
    if (s.claimed) claimed.push(s.claimed);
  }
  // One NOTIFY per transaction wakes the other engine processes (this one is woken directly).
  if (runIds.length > claimed.length) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
  return {
    ids,
    runIds,
    claimed,
    fresh: rows.filter((r) => fresh.has(r.internalId)).map((r) => r.payload),
    pauses: inserted.rows[0]?.pauses ?? [],
    invokeRefusals: flow?.invokeRefusals ?? [],
    carried,
  };
}

export function matchingFunctions(ctx: Ctx, event: EventPayload): FnDef[] {
  // step.invoke: the child is addressed by id, whatever its triggers (notes §2.2).
  if (event.name === INVOKED_EVENT) {
    const target = (event.data._inngest as { fn_id?: unknown } | undefined)?.fn_id;
    const fn = typeof target === "string" ? ctx.registry.get(target) : undefined;
    return fn ? [fn] : [];
  }
  const internal = event.name.startsWith("inngest/function.");
  const out: FnDef[] = [];
  for (const fn of ctx.registry.all()) {
    const hit = fn.events.some((t) => {
      // A wildcard never picks up the engine's own lifecycle events; only an exact trigger does.
      if (internal && t.event !== event.name) return false;
      return t.pattern.test(event.name) && (!t.expression || matches(t.expression, { event }));
    });
    if (hit) out.push(fn);
  }
  return out;
}

/**
 * A key expression's value per Inngest (notes §12): `missing` when the field is absent, with a
 * warning; an expression that fails to evaluate counts as missing too.
 */
function keyOf(ctx: Ctx, fn: FnDef, what: string, expr: Compiled, event: EventPayload): { missing: true } | { missing: false; key: string } {
  let v: ReturnType<typeof evaluateKey>;
  try {
    v = evaluateKey(expr, { event });
  } catch (err) {
    ctx.log.warn(`${what} key could not be evaluated; treated as missing`, { fn: fn.id, expression: expr.source, error: (err as Error).message });
    return { missing: true };
  }
  if (v.missing) ctx.log.warn(`${what} key is missing`, { fn: fn.id, expression: expr.source, event: event.id });
  else if (v.isNull) ctx.log.warn(`${what} key is null (shared by every such event)`, { fn: fn.id, expression: expr.source, event: event.id });
  return v;
}

/**
 * Creates a run unless a dedupe key (event id, idempotency key) already holds one. Also creates
 * its cancelOn pauses and its start-timeout timer; the first item starts `delayMs` from now (a
 * future `ts`, or cron jitter). `opts.dedupeKey` (a batch run) replaces the dedupe keys; a batch
 * run gets no start timeout and no delay (Inngest ignores a future `ts` for batches). A throttled
 * function's run over the limit is created without its first queue item: the throttle gate adds
 * it later; a delayed one first waits for its start time (a `start:` flow timer), then the
 * throttle (flow-control/throttle.ts).
 */
export async function scheduleRun(
  ctx: Ctx,
  tx: Tx,
  fn: FnDef,
  eventInternalId: string,
  event: EventPayload,
  direct?: Direct,
  opts?: ScheduleOptions,
): Promise<{ runId: string; claimed?: QueueItem } | null> {
  const now = ctx.clock();
  const runId = ulid(now);
  const keys = opts?.dedupeKey ? [opts.dedupeKey] : [`event:${event.id}`];
  if (fn.idempotency && !opts?.dedupeKey) {
    // A missing field means no idempotency for this event (Inngest: the rate limit it compiles to
    // does not apply); an explicit null is a shared key like any other value.
    const v = keyOf(ctx, fn, "idempotency", fn.idempotency, event);
    if (!v.missing) keys.push(`idempotency:${v.key}`);
  }
  // A savepoint is only needed when a later key can still turn the run into a duplicate.
  const multi = keys.length > 1;
  if (multi) await tx.query("savepoint dedupe");
  for (const key of keys) {
    // Take the key if it is free or expired; a live key means this run is a duplicate.
    const res = await tx.query(
      `insert into run_keys (function_id, key, run_id, expires_at) values ($1, $2, $3, $4)
       on conflict (function_id, key) do update set run_id = excluded.run_id, expires_at = excluded.expires_at
       where run_keys.expires_at <= $5`,
      [fn.id, key, runId, iso(now + DEDUPE_TTL_MS), iso(now)],
    );
    if (!res.rowCount) {
      if (multi) await tx.query("rollback to savepoint dedupe");
      ctx.log.info("run skipped (duplicate)", { fn: fn.id, event: event.name, key });
      return null;
    }
  }
  if (multi) await tx.query("release savepoint dedupe");

  const ckeys: string[] = [];
  const climits: number[] = [];
  for (const c of fn.concurrency) {
    let value = "";
    if (c.key) {
      // Inngest: a missing field evaluates to `false`, so every such run shares the key "false".
      const v = keyOf(ctx, fn, "concurrency", c.key, event);
      value = v.missing ? "false" : v.key;
    }
    // The key names its scope and expression, so two limits of one function (say per user and
    // overall) never share a counter, whatever the evaluated values are.
    const expr = c.key?.source ?? "*";
    ckeys.push(c.scope === "fn" ? `fn:${fn.id}:${expr}=${value}` : `${c.scope}:${expr}=${value}`);
    climits.push(c.limit);
  }
  const batch = opts?.dedupeKey !== undefined;
  const runAt = batch ? now : startAt(ctx, opts?.delayMs, now);
  // throttle: a run over the limit waits for its key's gate, without a queue item yet; a delayed
  // run reserves nothing now: its start timer asks the throttle at its start time.
  let admitted = true;
  if (fn.flow?.throttle) {
    if (runAt > now) {
      admitted = false;
      await armDelayedStart(tx, runId, runAt);
    } else admitted = (await throttleRuns(ctx, tx, [{ fn, event, runId, ckeys, climits }], now))[0] !== false;
  }
  // Keyed items always go through the claim path, which enforces the concurrency limits; a delayed
  // start is never leased now.
  const leased = admitted && !ckeys.length && runAt <= now && direct?.reserve() === true;
  const res = await tx.query<QueueItem>(
    `with r as (insert into runs (id, function_id, event_id, status, created_at, ckeys, climits) values ($1, $2, $3, 'queued', $4, $5, $6) returning id)
     insert into queue (run_id, kind, step_id, state, run_at, ckeys, climits, lease_token, lease_until)
     select id, 'call', 'step', case when $7 then 'running' else 'queued' end, $9, $5, $6,
            case when $7 then gen_random_uuid() end, case when $7 then $8::timestamptz end from r where $10
     returning ${ITEM_COLUMNS}`,
    [runId, fn.id, eventInternalId, iso(now), ckeys, climits, leased, iso(now + ctx.opts.leaseMs), iso(runAt), admitted],
  );
  if (fn.cancel.length) await createCancelPauses(ctx, tx, runId, fn.cancel);
  // timeouts.start counts from scheduling, also for a delayed start (notes §8); not for a batch.
  if (fn.timeouts.startMs && !batch) await enqueueDeadline(tx, runId, "start", now + fn.timeouts.startMs * ctx.opts.timeScale);
  ctx.log.info("run queued", {
    run: runId,
    fn: fn.id,
    event: event.name,
    ...(runAt > now ? { starts_at: iso(runAt) } : {}),
    ...(admitted || runAt > now ? {} : { throttled: true }),
  });
  return { runId, claimed: leased ? res.rows[0] : undefined };
}
