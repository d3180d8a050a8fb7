// What the UI's pages read. Plain SQL over the engine's tables (a fixed set of statements: every
// parameterised query is a named prepared statement, see db.ts); `runs.*` so that columns other
// modules add (a skipped run's reason) come along.
import type { Ctx } from "../context";
import { matches } from "../cel";
import type { FnDef } from "../functions";
import { runAttempts, runSteps, type AttemptRow, type RunRow as StoredRunRow, type StepRow } from "../read-api";
import type { EventPayload } from "../types";

export type RunRow = StoredRunRow & { event_name?: string };
export type { AttemptRow, StepRow };

export type EventRow = {
  internal_id: string;
  id: string;
  name: string;
  payload: EventPayload;
  received_at: Date;
  runs: { id: string; function_id: string; status: string }[];
};



export type AppRow = { id: string; url: string; sdk: string | null; synced_at: Date; error: string | null; functions: number };

export async function listRuns(ctx: Ctx, f: { fn: string | null; status: string | null; limit: number }): Promise<RunRow[]> {
  const rows = await ctx.db.query<RunRow>(
    `select r.*, e.name as event_name from runs r left join events e on e.internal_id = r.event_id
      where ($1::text is null or r.status = $1) and ($2::text is null or r.function_id = $2)
      order by r.created_at desc, r.id desc limit $3`,
    [f.status, f.fn, f.limit],
  );
  return rows.rows;
}

/** Function ids that have runs (also those no longer synced), for the runs filter. */
export async function runFunctionIds(ctx: Ctx): Promise<string[]> {
  const rows = await ctx.db.query<{ function_id: string }>("select distinct function_id from runs order by function_id");
  return rows.rows.map((r) => r.function_id);
}

export type RunDetail = {
  run: RunRow;
  event: { internal_id: string; payload: EventPayload } | null;
  steps: StepRow[];
  attempts: AttemptRow[];
  /** What the run is doing now, for a run that has not ended. */
  pending: { kind: string; step_id: string; run_at: Date; state: string }[];
  waits: { kind: string; step_name: string | null; event_name: string; expires_at: Date }[];
  /** Events sent by its steps (step.sendEvent answers `{ids}`), by internal id. */
  sent: { internal_id: string; name: string; received_at: Date }[];
  /** A batch run's events (batchEvents), in order. */
  batch: { internal_id: string; name: string; received_at: Date }[];
  /** Flow control holding a run that has not started: waiting for its throttle, a delayed start. */
  held: { throttled: boolean; startsAt: Date | null };
};

export async function getRunDetail(ctx: Ctx, runId: string): Promise<RunDetail | null> {
  const run = await ctx.db.query<RunRow>(
    "select r.*, e.name as event_name from runs r left join events e on e.internal_id = r.event_id where r.id = $1",
    [runId],
  );
  const r = run.rows[0];
  if (!r) return null;
  const [event, steps, attempts, pending, waits, batch, throttled, delayed] = await Promise.all([
    ctx.db.query<{ internal_id: string; payload: EventPayload }>("select internal_id, payload from events where internal_id = $1", [r.event_id]),
    runSteps(ctx, runId),
    runAttempts(ctx, runId),
    ctx.db.query<{ kind: string; step_id: string; run_at: Date; state: string }>(
      "select kind, step_id, run_at, state from queue where run_id = $1 order by run_at, id",
      [runId],
    ),
    ctx.db.query<{ kind: string; step_name: string | null; event_name: string; expires_at: Date }>(
      "select kind, step_name, event_name, expires_at from pauses where run_id = $1 order by id",
      [runId],
    ),
    ctx.db.query<{ internal_id: string; name: string; received_at: Date }>(
      `select e.internal_id, e.name, e.received_at from flow_batches b join flow_batch_events be on be.batch_id = b.id
         join events e on e.internal_id = be.event_id where b.run_id = $1 order by be.seq`,
      [runId],
    ),
    ctx.db.query("select 1 from flow_throttle_waiting where run_id = $1", [runId]),
    ctx.db.query<{ run_at: Date }>("select run_at from queue where kind = 'flow' and step_id = 'start:' || $1::text", [runId]),
  ]);
  const sentIds = steps.flatMap((s) => {
    const data = (s.result as { data?: { ids?: unknown } } | null)?.data;
    return Array.isArray(data?.ids) ? data.ids.filter((x): x is string => typeof x === "string") : [];
  });
  const sent = sentIds.length
    ? (
        await ctx.db.query<{ internal_id: string; name: string; received_at: Date }>(
          "select internal_id, name, received_at from events where internal_id = any($1) order by received_at, internal_id",
          [sentIds],
        )
      ).rows
    : [];
  return {
    run: r,
    event: event.rows[0] ?? null,
    steps,
    attempts,
    pending: pending.rows,
    waits: waits.rows,
    sent,
    batch: batch.rows,
    held: { throttled: (throttled.rowCount ?? 0) > 0, startsAt: delayed.rows[0]?.run_at ?? null },
  };
}

// The runs an event started: by its trigger event, and a batch run for every event of its batch.
const EVENT_RUNS = `coalesce((select json_agg(json_build_object('id', r.id, 'function_id', r.function_id, 'status', r.status) order by r.id)
  from runs r where r.id in (select id from runs where event_id = e.internal_id
                             union select b.run_id from flow_batch_events be join flow_batches b on b.id = be.batch_id
                              where be.event_id = e.internal_id and b.run_id is not null)), '[]'::json) as runs`;

export async function listEvents(ctx: Ctx, f: { name: string | null; internal: boolean; limit: number }): Promise<EventRow[]> {
  const rows = await ctx.db.query<EventRow>(
    `select e.internal_id, e.id, e.name, e.payload, e.received_at, ${EVENT_RUNS} from events e
      where ($1::text is null or e.name = $1) and ($2::boolean or e.name not like 'inngest/function.%')
      order by e.received_at desc, e.internal_id desc limit $3`,
    [f.name, f.internal, f.limit],
  );
  return rows.rows;
}

export async function getEvent(ctx: Ctx, id: string): Promise<EventRow | null> {
  const rows = await ctx.db.query<EventRow>(
    `select e.internal_id, e.id, e.name, e.payload, e.received_at, ${EVENT_RUNS} from events e
      where e.internal_id = $1 or e.id = $1 order by e.received_at desc limit 1`,
    [id],
  );
  return rows.rows[0] ?? null;
}

/** Recent distinct event names, for the send form's suggestions and the events filter. */
export async function recentEventNames(ctx: Ctx): Promise<string[]> {
  const rows = await ctx.db.query<{ name: string }>(
    "select name from (select name, max(received_at) as at from events group by name) t order by at desc limit 50",
  );
  return rows.rows.map((r) => r.name);
}

export async function listApps(ctx: Ctx): Promise<AppRow[]> {
  const rows = await ctx.db.query<AppRow>(
    `select a.id, a.url, a.sdk, a.synced_at, a.error, (select count(*)::int from functions f where f.app_id = a.id) as functions
       from apps a order by a.id`,
  );
  return rows.rows;
}

/**
 * Who listens to an event, by the functions synced now: `byName` have a trigger for its name,
 * `matched` of those also pass the trigger's `if`. (An invoke event names its function.)
 */
export function listeners(ctx: Ctx, event: Pick<EventPayload, "name" | "data"> & Partial<EventPayload>): { byName: FnDef[]; matched: FnDef[] } {
  if (event.name === "inngest/function.invoked") {
    const target = (event.data?._inngest as { fn_id?: unknown } | undefined)?.fn_id;
    const fn = typeof target === "string" ? ctx.registry.get(target) : undefined;
    return { byName: fn ? [fn] : [], matched: fn ? [fn] : [] };
  }
  const internal = event.name.startsWith("inngest/function.");
  const byName: FnDef[] = [];
  const matched: FnDef[] = [];
  for (const fn of ctx.registry.all()) {
    const triggers = fn.events.filter((t) => (!internal || t.event === event.name) && t.pattern.test(event.name));
    if (!triggers.length) continue;
    byName.push(fn);
    if (triggers.some((t) => !t.expression || safeMatch(t.expression, event))) matched.push(fn);
  }
  return { byName, matched };
}

/** Debug log for accepted events that no synced function listens to (internal events aside). */
export function logUnheard(ctx: Ctx, events: EventPayload[]): void {
  if (!ctx.log.debugEnabled) return;
  for (const e of events) {
    if (e.name.startsWith("inngest/")) continue;
    const l = listeners(ctx, e);
    if (!l.byName.length) ctx.log.debug("no function listens to this event", { event: e.name, id: e.id });
    else if (!l.matched.length) ctx.log.debug("no trigger expression matched this event", { event: e.name, id: e.id, fns: l.byName.map((f) => f.id).join(",") });
  }
}

function safeMatch(expr: Parameters<typeof matches>[0], event: unknown): boolean {
  try {
    return matches(expr, { event });
  } catch {
    return false;
  }
}

/**
 * A number that changes whenever something a page shows may have changed: a new event (runs start
 * with one, and every run that ends emits one), an attempt recorded, queue work claimed, added or
 * removed, an app synced. Index-only reads on small or indexed tables; read once a second while a
 * browser listens.
 */
export async function stateVersion(ctx: Ctx): Promise<string> {
  const rows = await ctx.db.query<{ v: string }>(
    `select concat_ws('|',
       (select max(internal_id) from events),
       (select max(id) from attempts),
       (select count(*) from queue),
       (select count(*) from queue where state = 'running'),
       (select max(synced_at)::text || count(*) || string_agg(coalesce(error, ''), '') from apps)) as v`,
  );
  return rows.rows[0]?.v ?? "";
}
