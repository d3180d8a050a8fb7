// The hot path's write-back: the two outcomes almost every request has — one `step.run` result
// with nothing else of the run pending (the item continues in place as the next discovery), and
// the run returning when nobody listens for its inngest/function.finished — are written by one
// fenced statement, and the write-backs of concurrent workers are grouped into that one statement
// (one round trip, one durable commit for all of them).
//
// The statement applies an entry only when the general path (writeback.ts + ops.ts) would do
// exactly the same: the item still holds its lease, the run has not ended, no other item of the
// run is pending, the run called no refused API, and (to complete) no wait or cancelOn listens for
// inngest/function.finished. Anything else — and any entry of a batch that failed — is reported
// back unapplied, nothing of it written, and the caller takes the general path, which also tells a
// lost lease from the rest.
//
// `groupedWriter` (below) is the grouping itself, also used by checkpoints (checkpoint.ts). A
// grouped statement that fails writes nothing and answers every entry "not applied"; each caller
// then falls back on its own: a write-back to the general path, a checkpoint to the same statement
// with its entry alone — either way one bad entry cannot fail the others of its group.
import type { Ctx } from "./context";
import { iso } from "./db";
import { FINISHED_EVENT } from "./pauses";
import { TERMINAL_SQL } from "./run-store";

export type FastEntry =
  | {
      kind: "step";
      queueId: number;
      token: string;
      runId: string;
      stepId: string;
      name: string | null;
      op: string;
      /** The memoised `{data}`. */
      result: unknown;
      status: number;
      startedAt: number;
      /** The request version the response pinned (the run's first response), else null. */
      version: number | null;
    }
  | {
      kind: "complete";
      queueId: number;
      token: string;
      runId: string;
      /** The item's step id (the attempt row names it). */
      stepId: string;
      output: unknown;
      status: number;
      startedAt: number;
      version: number | null;
    };

/**
 * `applied`: written (for a step, `token` is the continuation's new lease, and `stepsBefore` how many
 * steps the run had recorded before this one, as the statement saw them); else take the general path.
 */
export type FastResult = { applied: false } | { applied: true; token: string | null; stepsBefore: number };

// One statement for a whole group. Rows are locked run first, then its queue row, in run id order,
// like every other write-back (no lock-order deadlocks between groups or with single write-backs).
const SQL = `
with w as (
  select * from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::int[], $10::timestamptz[], $11::int[])
    as w(kind, qid, token, run_id, step_id, name, op, result, status, started, version)),
f as (
  select w.*, q.attempt from w
    join runs r on r.id = w.run_id
    join queue q on q.id = w.qid and q.run_id = w.run_id
   where q.lease_token = w.token and q.state = 'running'
     and r.status not in (${TERMINAL_SQL}) and r.refused is null
     and not exists (select 1 from queue o where o.run_id = w.run_id and o.id <> w.qid and o.kind <> 'deadline')
     and (w.kind = 'step' or not exists (select 1 from pauses p where p.event_name = $14 and p.kind <> 'invoke'))
   order by r.id
   for update of r, q),
s as (
  insert into steps (run_id, step_id, name, op, result, created_at)
  select run_id, step_id, name, op, result, $12 from f where kind = 'step'
  on conflict (run_id, step_id) do nothing),
a as (
  insert into attempts (run_id, step_id, step_name, attempt, outcome, status_code, started_at, ended_at)
  select run_id, step_id, name, attempt, case when kind = 'step' then 'ok' else 'completed' end, status, started, $12 from f),
ru as (
  update runs r set version = case when r.version = -1 and f.version > 0 then f.version else r.version end,
                    force_plan = false,
                    status = case when f.kind = 'complete' then 'completed' else r.status end,
                    output = case when f.kind = 'complete' then f.result else r.output end,
                    ended_at = case when f.kind = 'complete' then $12::timestamptz else r.ended_at end
    from f
   where r.id = f.run_id and (f.kind = 'complete' or (r.version = -1 and f.version > 0) or r.force_plan)),
qd as (delete from queue q using f where f.kind = 'complete' and q.run_id = f.run_id),
pd as (delete from pauses p using f where f.kind = 'complete' and p.run_id = f.run_id),
qn as (
  -- run_at (meaningless while running) and, until a quarter of it is used, lease_until stay as they
  -- are: with kind and step_id unchanged (a discovery continuing as one) no indexed column changes,
  -- so the update is HOT (no index entries; see migration 006's fillfactor).
  update queue q set kind = 'call', step_id = 'step', attempt = 0, rescues = 0, race = false, rediscover = false,
                     lease_until = case when q.lease_until < $15 then $13 else q.lease_until end,
                     lease_token = gen_random_uuid()
    from f where f.kind = 'step' and q.id = f.qid
  returning q.id, q.lease_token)
select f.qid, qn.lease_token, (select count(*) from steps x where x.run_id = f.run_id)::int as steps_before
  from f left join qn on qn.id = f.qid`;

/** Entries per statement; a larger group waits for the next one. */
const MAX_GROUP = 64;

/**
 * Group commit: an entry submitted while no statement is in flight is written at once (no added
 * latency); entries submitted meanwhile queue up and go together in the next statement, so groups
 * grow with the load. `write` answers each entry in order (null: not applied); when it throws,
 * nothing of the group was written (one statement) and every entry is answered null.
 */
class Grouper<E, R> {
  private pending: { entry: E; resolve(r: R | null): void }[] = [];
  private flushing = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly what: string,
    private readonly write: (entries: E[]) => Promise<(R | null)[]>,
  ) {}

  submit(entry: E): Promise<R | null> {
    return new Promise((resolve) => {
      this.pending.push({ entry, resolve });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush() {
    this.flushing = true;
    try {
      while (this.pending.length) {
        const group = this.pending.splice(0, MAX_GROUP);
        let results: (R | null)[] = [];
        try {
          results = await this.write(group.map((p) => p.entry));
        } catch (err) {
          this.ctx.log.warn(`grouped ${this.what} failed; each entry falls back alone`, { entries: group.length, error: (err as Error).message });
        }
        group.forEach((p, i) => p.resolve(results[i] ?? null));
      }
    } finally {
      this.flushing = false;
    }
  }
}

async function writeFast(ctx: Ctx, entries: FastEntry[]): Promise<({ token: string | null; stepsBefore: number } | null)[]> {
  const now = ctx.clock();
  const res = await ctx.db.query<{ qid: number; lease_token: string | null; steps_before: number }>(SQL, [
    entries.map((e) => e.kind),
    entries.map((e) => e.queueId),
    entries.map((e) => e.token),
    entries.map((e) => e.runId),
    entries.map((e) => e.stepId),
    entries.map((e) => (e.kind === "step" ? e.name : null)),
    entries.map((e) => (e.kind === "step" ? e.op : null)),
    entries.map((e) => JSON.stringify(e.kind === "step" ? e.result : (e.output ?? null))),
    entries.map((e) => e.status),
    entries.map((e) => iso(e.startedAt)),
    entries.map((e) => e.version ?? -1),
    iso(now),
    iso(now + ctx.opts.leaseMs),
    FINISHED_EVENT,
    // Renewed when less than 3/4 of it is left: a request renews at half-life from its start.
    iso(now + (ctx.opts.leaseMs * 3) / 4),
  ]);
  const applied = new Map(res.rows.map((r) => [Number(r.qid), { token: r.lease_token, stepsBefore: r.steps_before }]));
  return entries.map((e) => applied.get(e.queueId) ?? null);
}

/**
 * A grouped writer: one Grouper per engine (its Ctx), so entries of concurrent requests of the
 * same engine share a statement. `write(ctx, entries)` answers each entry in order (null: not applied).
 */
export function groupedWriter<E, R>(what: string, write: (ctx: Ctx, entries: E[]) => Promise<(R | null)[]>) {
  const byEngine = new WeakMap<Ctx, Grouper<E, R>>();
  return (ctx: Ctx, entry: E): Promise<R | null> => {
    let g = byEngine.get(ctx);
    if (!g) byEngine.set(ctx, (g = new Grouper(ctx, what, (entries) => write(ctx, entries))));
    return g.submit(entry);
  };
}

const writeGrouped = groupedWriter("write-back", writeFast);

/** Writes the entry with the concurrent ones of this process, in one statement. */
export async function fastWriteBack(ctx: Ctx, entry: FastEntry): Promise<FastResult> {
  const r = await writeGrouped(ctx, entry);
  return r ? { applied: true, ...r } : { applied: false };
}
