// The event loop of the engine's own making: accepting events (store, start runs, resolve waits,
// cancel runs whose cancelOn matched) and the lifecycle events a run emits when it ends
// (inngest/function.finished, .failed, .cancelled), which are accepted the same way, so they can
// trigger functions and resume a parent's step.invoke. Both live here because each needs the
// other: a cancellation emits events, and an event can cancel a run.
import { QUEUE_CHANNEL, type Ctx } from "./context";
import type { Tx } from "./db";
import { batchEventsOf } from "./flow-control/batch";
import { ingestEvents, type Direct, type IncomingEvent, type IngestResult } from "./ingest";
import { CANCELLED_ERROR, CANCELLED_EVENT, FAILED_EVENT, FINISHED_EVENT, NO_LIFECYCLE, resolvePauses } from "./pauses";
import { endRun, type EndedRun } from "./run-store";
import { ulid } from "./ulid";

/** Stores events, starts the runs they trigger, resolves the waits they match, cancels runs. */
export async function acceptEvents(
  ctx: Ctx,
  tx: Tx,
  events: IncomingEvent[],
  seed?: string | null,
  direct?: Direct,
  registryVersion: number | null = null,
): Promise<IngestResult & { queued: boolean }> {
  const res = await ingestEvents(ctx, tx, events, seed, direct, registryVersion);
  let queued = res.runIds.length > res.claimed.length;
  if (res.invokeRefusals.length) {
    // A rate-limited child: Go answers the parent with a synthetic inngest/function.finished
    // carrying the error (notes §2.3), which resolves the parent's invoke pause like a real one.
    const now = ctx.clock();
    const answers: IncomingEvent[] = res.invokeRefusals.map((r) => ({
      id: ulid(now),
      name: FINISHED_EVENT,
      data: { function_id: "", run_id: "", correlation_id: r.correlationId, error: r.error },
      ts: now,
    }));
    for (const r of res.invokeRefusals) ctx.log.info("invoked function is rate limited", { fn: r.functionId, correlation: r.correlationId });
    const answered = await acceptEvents(ctx, tx, answers);
    if (answered.queued) queued = true;
  }
  if (res.pauses.length && res.fresh.length) {
    const { cancellations, queued: resumed } = await resolvePauses(ctx, tx, res.fresh, res.pauses);
    if (resumed) {
      queued = true;
      await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
    }
    for (const c of cancellations) {
      await cancelRun(ctx, tx, c.runId, `cancelOn event "${c.event.name}" (${c.event.id})`);
    }
  }
  return { ...res, queued };
}


/** The `data` shared by function.finished/failed/cancelled (notes §10). */
function lifecycleData(run: EndedRun, status: "Completed" | "Failed" | "Cancelled"): Record<string, unknown> {
  const correlation = (run.payload.data._inngest as { correlation_id?: unknown } | undefined)?.correlation_id;
  return {
    function_id: run.function_id,
    run_id: run.id,
    event: run.payload,
    events: [run.payload],
    ...(typeof correlation === "string" ? { correlation_id: correlation } : {}),
    _inngest: { status },
  };
}

async function emitLifecycle(ctx: Ctx, tx: Tx, run: EndedRun, status: "Completed" | "Failed" | "Cancelled", outcome: Record<string, unknown>) {
  if (NO_LIFECYCLE.has(run.payload.name)) return;
  const now = ctx.clock();
  // A batch run's events are the whole batch (flow-control/batch.ts).
  const batch = ctx.registry.get(run.function_id)?.flow?.batch ? await batchEventsOf(tx, run.id) : null;
  const all = batch ?? [run.payload];
  const data = { ...lifecycleData(run, status), events: all, ...outcome };
  const meta = run.payload.meta ? { meta: run.payload.meta } : {};
  const events: IncomingEvent[] = [];
  // function.failed and function.cancelled carry the run id as their id (one per run).
  if (status === "Failed") events.push({ id: run.id, name: FAILED_EVENT, data, ts: now, ...meta });
  if (status === "Cancelled") events.push({ id: run.id, name: CANCELLED_EVENT, data, ts: now, ...meta });
  events.push({ id: ulid(now), name: FINISHED_EVENT, data, ts: now, ...meta });
  // One more function.finished per further batched event that came from a step.invoke, so every
  // invoking parent resumes (notes §2.2, §10.1).
  for (const e of all.slice(1)) {
    const correlation = (e.data._inngest as { correlation_id?: unknown } | undefined)?.correlation_id;
    if (typeof correlation !== "string") continue;
    events.push({ id: ulid(now), name: FINISHED_EVENT, data: { ...data, event: e, correlation_id: correlation }, ts: now, ...meta });
  }
  await acceptEvents(ctx, tx, events);
}

/** The run returned: completed, and inngest/function.finished with its result. */
export async function completeRun(ctx: Ctx, tx: Tx, runId: string, output: unknown): Promise<void> {
  const ended = await endRun(ctx, tx, runId, "completed", { output });
  if (!ended) return;
  ctx.log.info("run completed", { run: runId });
  await emitLifecycle(ctx, tx, ended, "Completed", { result: output ?? null });
}

/**
 * Final failure: inngest/function.failed (protocol §4), which the `-failure` handler receives, and
 * inngest/function.finished with the error.
 */
export async function failRun(ctx: Ctx, tx: Tx, runId: string, error: { name: string; message: string; [k: string]: unknown }): Promise<void> {
  const ended = await endRun(ctx, tx, runId, "failed", { error });
  if (!ended) return;
  ctx.log.info("run failed", { run: runId, fn: ended.function_id, error: error.message });
  await emitLifecycle(ctx, tx, ended, "Failed", { error });
}

/**
 * Cancellation (cancelOn, timeouts, the operator API): pending work and waits are removed at once;
 * a step in flight finishes in the app but its result is dropped. Emits inngest/function.cancelled
 * and inngest/function.finished; no function.failed, so onFailure does not run (notes §3.2).
 */
export async function cancelRun(ctx: Ctx, tx: Tx, runId: string, reason: string): Promise<EndedRun | null> {
  const error = { ...CANCELLED_ERROR, reason };
  const ended = await endRun(ctx, tx, runId, "cancelled", { error });
  if (!ended) return null;
  ctx.log.info("run cancelled", { run: runId, fn: ended.function_id, reason });
  await emitLifecycle(ctx, tx, ended, "Cancelled", { error: CANCELLED_ERROR });
  return ended;
}
