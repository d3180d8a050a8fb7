// Open waits ("pauses", as Inngest calls them): step.waitForEvent, step.invoke (waiting for the
// child's inngest/function.finished) and cancelOn. A pause matches only events ingested after it
// was committed: pauses are looked up in the same statement that stores an event (ingest.ts), so
// an event that arrived before the wait was recorded never matches it (notes §1.2).
import { compile, matches, type Compiled } from "./cel";
import type { Ctx } from "./context";
import { iso, type Tx } from "./db";
import { timeoutMs } from "./duration";
import type { CancelOn } from "./functions";
import { requestDiscovery } from "./queue";
import { recordEvent, saveStep } from "./run-store";
import type { EventPayload } from "./types";

export const FINISHED_EVENT = "inngest/function.finished";
export const CANCELLED_EVENT = "inngest/function.cancelled";
export const FAILED_EVENT = "inngest/function.failed";
/** Runs started by these events emit no lifecycle events of their own (no loops; notes §10.1). */
export const NO_LIFECYCLE = new Set([FAILED_EVENT, FINISHED_EVENT]);
export const INVOKED_EVENT = "inngest/function.invoked";

/** Inngest's defaults: a cancelOn window and an invoke timeout are one year. */
export const YEAR_MS = 365 * 24 * 3600 * 1000;
/** waitForEvent timeouts beyond this are refused (consts.MaxWaitForEventTimeout). */
export const MAX_WAIT_MS = 366 * 24 * 3600 * 1000;

export type PauseKind = "wait" | "invoke" | "cancel";

/** A pause as the event path sees it (with the run's trigger event when it has an expression). */
export type PauseRow = {
  id: number;
  run_id: string;
  kind: PauseKind;
  step_id: string;
  step_name: string | null;
  event_name: string;
  expression: string | null;
  correlation_id: string | null;
  race: boolean;
  version: number;
  trigger: EventPayload | null;
};

/**
 * The pause lookup that ingest.ts runs inside its event insert (one round trip): open pauses for
 * the given event names, and invoke pauses for the given correlation ids. Parameters are the
 * numbers of the `text[]` names, `text[]` correlation ids and the `timestamptz` now.
 */
export function pauseLookupSql(names: number, cids: number, now: number): string {
  return `select coalesce(json_agg(x), '[]') from (
    select p.id, p.run_id, p.kind, p.step_id, p.step_name, p.event_name, p.expression, p.correlation_id, p.race, r.version,
           case when p.expression is not null then (select e.payload from events e where e.internal_id = r.event_id) end as trigger
      from (select * from pauses where kind <> 'invoke' and event_name = any($${names}::text[]) and expires_at > $${now}
            union all
            select * from pauses where kind = 'invoke' and correlation_id = any($${cids}::text[]) and expires_at > $${now}) p
      join runs r on r.id = p.run_id) x`;
}

const compiled = new Map<string, Compiled>();
/** `if` expressions of waits and cancels see `event` (the run's trigger) and `async` (the candidate). */
export function compilePauseExpression(source: string): Compiled {
  let c = compiled.get(source);
  if (!c) {
    c = compile(source, ["event", "async"]);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, c);
  }
  return c;
}

type NewPause = {
  runId: string;
  kind: PauseKind;
  stepId: string;
  stepName: string | null;
  eventName: string;
  expression?: string | null;
  correlationId?: string | null;
  race?: boolean;
  expiresAt: number;
};

/**
 * Records a pause unless one is already open for the step or the step already has a result (the
 * SDK re-reports unresolved steps on every discovery). Returns whether it was created.
 */
export async function createPause(ctx: Ctx, tx: Tx, p: NewPause): Promise<boolean> {
  const res = await tx.query(
    `insert into pauses (run_id, kind, step_id, step_name, event_name, expression, correlation_id, race, created_at, expires_at)
     select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
      where not exists (select 1 from steps where run_id = $1 and step_id = $3)
     on conflict (run_id, step_id) do nothing`,
    [p.runId, p.kind, p.stepId, p.stepName, p.eventName, p.expression ?? null, p.correlationId ?? null, p.race ?? false, iso(ctx.clock()), iso(p.expiresAt)],
  );
  return (res.rowCount ?? 0) > 0;
}

/** cancelOn: one pause per entry, created with the run (notes §3.2); the window defaults to a year. */
export async function createCancelPauses(ctx: Ctx, tx: Tx, runId: string, cancel: CancelOn[]): Promise<void> {
  const now = ctx.clock();
  for (const [i, c] of cancel.entries()) {
    const ms = c.timeout === undefined ? YEAR_MS : (timeoutMs(c.timeout, now) ?? YEAR_MS);
    await createPause(ctx, tx, {
      runId,
      kind: "cancel",
      stepId: `cancel:${i}`,
      stepName: `cancelOn ${c.event}`,
      eventName: c.event,
      expression: c.expression?.source ?? null,
      expiresAt: now + ms * ctx.opts.timeScale,
    });
  }
}

/** The error a parent's step.invoke gets when the child run was cancelled (notes §10.3 recommendation). */
export const CANCELLED_ERROR = { error: "function cancelled", name: "Error", message: "function cancelled" };

/** What the parent's step.invoke memoises when the child finished (notes §2.3). */
export function invokeResult(data: Record<string, unknown>): unknown {
  if (data.error !== undefined && data.error !== null) return { error: data.error };
  return { data: data.result ?? null };
}

export type Cancellation = { runId: string; event: EventPayload; pause: PauseRow };

/**
 * Resolves the pauses that `fresh` events match, in event order: waits get the event, invokes the
 * child's result (both then ask for a discovery), cancels are returned for the caller to cancel
 * the run (events.ts, which emits the lifecycle events). Runs are locked first, in id order, then
 * the pauses are deleted: a pause deleted by someone else meanwhile (its timeout, another event)
 * is not resolved twice. Returns the cancellations and whether any work was queued.
 */
export async function resolvePauses(
  ctx: Ctx,
  tx: Tx,
  fresh: EventPayload[],
  rows: PauseRow[],
): Promise<{ cancellations: Cancellation[]; queued: boolean }> {
  const hits: { pause: PauseRow; event: EventPayload }[] = [];
  const taken = new Set<number>();
  for (const event of fresh) {
    for (const p of rows) {
      if (taken.has(p.id)) continue;
      let hit = false;
      if (p.kind === "invoke") hit = event.name === FINISHED_EVENT && event.data.correlation_id === p.correlation_id;
      else if (p.event_name === event.name) {
        hit = !p.expression || matches(compilePauseExpression(p.expression), { event: p.trigger, async: event });
      }
      if (!hit) continue;
      taken.add(p.id);
      hits.push({ pause: p, event });
    }
  }
  if (!hits.length) return { cancellations: [], queued: false };

  const runIds = [...new Set(hits.map((h) => h.pause.run_id))].sort();
  const live = await tx.query<{ id: string }>(
    "select id from runs where id = any($1) and status not in ('completed', 'failed', 'cancelled') order by id for update",
    [runIds],
  );
  const liveRuns = new Set(live.rows.map((r) => r.id));
  const gone = await tx.query<{ id: number }>("delete from pauses where id = any($1) returning id", [hits.map((h) => h.pause.id)]);
  const consumed = new Set(gone.rows.map((r) => r.id));

  const cancellations: Cancellation[] = [];
  let queued = false;
  for (const { pause, event } of hits) {
    if (!consumed.has(pause.id) || !liveRuns.has(pause.run_id)) continue;
    if (pause.kind === "cancel") {
      cancellations.push({ runId: pause.run_id, event, pause });
      continue;
    }
    const result = pause.kind === "wait" ? event : invokeResult(event.data);
    await saveStep(tx, ctx, pause.run_id, pause.step_id, pause.step_name, pause.kind === "wait" ? "WaitForEvent" : "InvokeFunction", result);
    await tx.query("delete from queue where run_id = $1 and kind = 'timeout' and step_id = $2", [pause.run_id, pause.step_id]);
    await recordEvent(tx, ctx, pause.run_id, pause.step_id, pause.step_name, pause.kind === "wait" ? "event received" : "invoke finished");
    ctx.log.info(pause.kind === "wait" ? "wait matched" : "invoked run finished", {
      run: pause.run_id,
      step: pause.step_name,
      event: event.id,
    });
    if (await requestDiscovery(ctx, tx, pause.run_id, pause.race || pause.version === 1)) queued = true;
  }
  return { cancellations, queued };
}
