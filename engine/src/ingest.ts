// Events in, runs out. Everything happens inside the caller's transaction, so an event is
// acknowledged only after it and the runs it starts are committed together.
import { evaluateKey, matches } from "./cel";
import { QUEUE_CHANNEL, type Ctx } from "./context";
import { iso, type Tx } from "./db";
import { FlowIngest, throttleRuns, type ScheduleOptions } from "./flow-control";
import type { FnDef } from "./functions";
import type { EventPayload, QueueItem } from "./types";
import { seededUlid, ulid } from "./ulid";

export const DEDUPE_TTL_MS = 24 * 3600 * 1000;

export type IncomingEvent = {
  id?: string;
  name: string;
  data?: Record<string, unknown>;
  ts?: number;
  user?: Record<string, unknown>;
  v?: string;
};

/** `claimed`: first queue items inserted already leased to this process (see `Direct`). */
export type IngestResult = { ids: string[]; runIds: string[]; claimed: QueueItem[] };

/**
 * Direct dispatch: when this process has a free worker slot, a new run's first item is inserted
 * already leased to it and handed to the worker after commit, skipping a claim round trip. If the
 * process dies before running it, the lease expires and any process picks it up.
 */
export type Direct = { reserve(): boolean };

/** Validates one event from a request body; returns an error message or the event. */
export function validateEvent(raw: unknown, index: number): IncomingEvent | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return `event ${index}: must be an object`;
  const e = raw as Record<string, unknown>;
  if (typeof e.name !== "string" || !e.name.trim()) return `event ${index}: "name" must be a non-empty string`;
  if (e.data !== undefined && e.data !== null && (typeof e.data !== "object" || Array.isArray(e.data))) {
    return `event ${index}: "data" must be an object`;
  }
  if (e.id !== undefined && e.id !== null && (typeof e.id !== "string" || e.id.length > 512)) {
    return `event ${index}: "id" must be a string (≤ 512 chars)`;
  }
  if (e.ts !== undefined && e.ts !== null && (typeof e.ts !== "number" || !Number.isFinite(e.ts))) {
    return `event ${index}: "ts" must be a number of milliseconds`;
  }
  if (e.user !== undefined && e.user !== null && (typeof e.user !== "object" || Array.isArray(e.user))) {
    return `event ${index}: "user" must be an object`;
  }
  return {
    name: e.name,
    id: typeof e.id === "string" && e.id ? e.id : undefined,
    data: (e.data as Record<string, unknown> | undefined) ?? {},
    ts: typeof e.ts === "number" ? e.ts : undefined,
    user: (e.user as Record<string, unknown> | undefined) ?? {},
    v: typeof e.v === "string" ? e.v : undefined,
  };
}

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
): Promise<IngestResult> {
  const now = ctx.clock();
  const ids: string[] = [];
  const runIds: string[] = [];
  const claimed: QueueItem[] = [];
  const rows = events.map((e, i) => {
    const internalId = (seed ? seededUlid(seed, i) : null) ?? ulid(now);
    const payload: EventPayload = {
      id: e.id ?? internalId,
      name: e.name,
      data: e.data ?? {},
      ts: e.ts ?? now,
      user: e.user ?? {},
      ...(e.v ? { v: e.v } : {}),
    };
    ids.push(internalId);
    return { internalId, payload };
  });
  // All events in one statement; ids already present are a retried send we committed before.
  const inserted = await tx.query<{ internal_id: string }>(
    `insert into events (internal_id, id, name, payload, received_at)
     select i, u, n, p, $5 from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) as t(i, u, n, p)
     on conflict (internal_id) do nothing returning internal_id`,
    [
      rows.map((r) => r.internalId),
      rows.map((r) => r.payload.id),
      rows.map((r) => r.payload.name),
      rows.map((r) => JSON.stringify(r.payload)),
      iso(now),
    ],
  );
  const fresh = new Set(inserted.rows.map((r) => r.internal_id));

  // Functions with only the event-id key and no concurrency keys are scheduled in bulk; the others
  // (idempotency needs all-or-nothing over two keys, concurrency carries per-run key arrays) one
  // by one.
  const bulk: { fn: FnDef; internalId: string; payload: EventPayload; key: string }[] = [];
  const seen = new Set<string>();
  // Flow control (flow-control/): batchEvents and debounce hold events, rateLimit skips runs,
  // throttle (throttleRuns, below and in scheduleRun) holds runs over the limit. Locks the flow
  // state of the functions involved first.
  const flow = await FlowIngest.open(ctx, tx, rows.filter((r) => fresh.has(r.internalId)).map((r) => r.payload), matchingFunctions, scheduleRun, direct);
  for (const r of rows) {
    if (!fresh.has(r.internalId)) continue;
    for (const fn of matchingFunctions(ctx, r.payload)) {
      if (flow && (await flow.intercept(fn, r.internalId, r.payload))) continue;
      if (fn.idempotency || fn.concurrency.length) {
        const scheduled = await scheduleRun(ctx, tx, fn, r.internalId, r.payload, direct);
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
      bulk.push({ fn, internalId: r.internalId, payload: r.payload, key });
    }
  }
  if (bulk.length) {
    const planned = bulk.map((b) => ({ ...b, runId: ulid(now) }));
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
      // (flow-control/throttle.ts).
      const admitted = await throttleRuns(ctx, tx, create.map((c) => ({ fn: c.fn, event: c.payload, runId: c.runId, ckeys: [], climits: [] })), now);
      const leased = create.map((_, i) => admitted[i] === true && direct?.reserve() === true);
      const res = await tx.query<QueueItem>(
        `with t as (select * from unnest($1::text[], $2::text[], $3::text[], $6::bool[], $7::bool[]) as t(id, f, e, leased, admitted)),
              r as (insert into runs (id, function_id, event_id, status, created_at) select id, f, e, 'queued', $4 from t returning id)
         insert into queue (run_id, kind, step_id, state, run_at, lease_token, lease_until)
         select t.id, 'call', 'step', case when t.leased then 'running' else 'queued' end, $4,
                case when t.leased then gen_random_uuid() end, case when t.leased then $5::timestamptz end
           from t join r on r.id = t.id where t.admitted
         returning id, run_id, kind, step_id, attempt, lease_token, ckeys, climits`,
        [create.map((c) => c.runId), create.map((c) => c.fn.id), create.map((c) => c.internalId), iso(now), iso(now + ctx.opts.leaseMs), leased, admitted],
      );
      create.forEach((c, i) => {
        runIds.push(c.runId);
        ctx.log.info("run queued", { run: c.runId, fn: c.fn.id, event: c.payload.name, ...(admitted[i] ? {} : { throttled: true }) });
      });
      for (const item of res.rows) if (item.lease_token) claimed.push(item);
    }
  }
  // Batches that filled up start now (flow-control/batch.ts).
  for (const s of (await flow?.finish()) ?? []) {
    runIds.push(s.runId);
    if (s.claimed) claimed.push(s.claimed);
  }
  // One NOTIFY per transaction wakes the other engine processes (this one is woken directly).
  if (runIds.length > claimed.length) await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
  return { ids, runIds, claimed };
}

export function matchingFunctions(ctx: Ctx, event: EventPayload): FnDef[] {
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
 * Creates a run unless a dedupe key (event id, idempotency key) already holds one. `opts.dedupeKey`
 * (a batch run) replaces those keys. A throttled function's run over the limit is created without
 * its first queue item: the throttle gate adds it later (flow-control/throttle.ts).
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
    let value: string;
    try {
      value = evaluateKey(fn.idempotency, { event });
    } catch {
      value = "null";
    }
    keys.push(`idempotency:${value}`);
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
      try {
        value = evaluateKey(c.key, { event });
      } catch {
        value = "null";
      }
    }
    // The key names its scope and expression, so two limits of one function (say per user and
    // overall) never share a counter, whatever the evaluated values are.
    const expr = c.key?.source ?? "*";
    ckeys.push(c.scope === "fn" ? `fn:${fn.id}:${expr}=${value}` : `${c.scope}:${expr}=${value}`);
    climits.push(c.limit);
  }
  // throttle: a run over the limit waits for its key's gate, without a queue item yet.
  const admitted = fn.flow?.throttle ? (await throttleRuns(ctx, tx, [{ fn, event, runId, ckeys, climits }], now))[0] !== false : true;
  // Keyed items always go through the claim path, which enforces the concurrency limits.
  const leased = admitted && !ckeys.length && direct?.reserve() === true;
  const res = await tx.query<QueueItem>(
    `with r as (insert into runs (id, function_id, event_id, status, created_at) values ($1, $2, $3, 'queued', $4) returning id)
     insert into queue (run_id, kind, step_id, state, run_at, ckeys, climits, lease_token, lease_until)
     select id, 'call', 'step', case when $7 then 'running' else 'queued' end, $4, $5, $6,
            case when $7 then gen_random_uuid() end, case when $7 then $8::timestamptz end from r where $9
     returning id, run_id, kind, step_id, attempt, lease_token, ckeys, climits`,
    [runId, fn.id, eventInternalId, iso(now), ckeys, climits, leased, iso(now + ctx.opts.leaseMs), admitted],
  );
  ctx.log.info("run queued", { run: runId, fn: fn.id, event: event.name, ...(admitted ? {} : { throttled: true }) });
  return { runId, claimed: leased ? res.rows[0] : undefined };
}
