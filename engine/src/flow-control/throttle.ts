// throttle: GCRA over run starts, per function and key (notes §4). A run over the limit is never
// dropped: its first queue item is created with the start time the algorithm allows, so it waits
// outside the claim's range (run_at in the future) and starts later, FIFO within its key.
//
//   emission = period / limit;  dvt = emission × (limit + burst)
//   tat' = max(tat, now) + emission;  start = max(now, tat' − dvt);  store tat'
//
// From idle, `limit + burst` runs start at once, then one every `period / limit`. Because the start
// time is reserved when the run is created (rather than re-checked when it comes due), a throttled
// backlog of any size costs the claim nothing, and a restart keeps every reserved slot.
import type { Ctx } from "../context";
import type { Tx } from "../db";
import type { FnDef } from "../functions";
import type { EventPayload } from "../types";
import { sharedKey } from "./keys";

/**
 * The time the run triggered by `event` may start (≥ `now`), reserving its slot. The caller holds
 * the function's flow lock or touches a single key in its transaction (see lock.ts).
 */
export async function throttledStart(ctx: Ctx, tx: Tx, fn: FnDef, event: EventPayload, now: number): Promise<number> {
  return (await throttledStarts(ctx, tx, [{ fn, event }], now))[0] ?? now;
}

/**
 * Start times for several new runs at once (one statement per function and key), in order: the
 * runs of one key take consecutive slots. Runs of functions without a throttle start `now`.
 */
export async function throttledStarts(ctx: Ctx, tx: Tx, runs: { fn: FnDef; event: EventPayload }[], now: number): Promise<number[]> {
  const out = runs.map(() => now);
  const groups = new Map<string, { fn: FnDef; key: string; idx: number[] }>();
  runs.forEach(({ fn, event }, i) => {
    const t = fn.flow?.throttle;
    if (!t) return;
    const key = sharedKey(ctx, fn.id, "throttle", t.key, event);
    const g = groups.get(`${fn.id}\n${key}`) ?? { fn, key, idx: [] };
    g.idx.push(i);
    groups.set(`${fn.id}\n${key}`, g);
  });
  for (const { fn, key, idx } of groups.values()) {
    const t = fn.flow!.throttle!;
    const emission = (t.periodMs * ctx.opts.timeScale) / t.limit;
    const dvt = emission * (t.limit + t.burst);
    // tat after n arrivals = max(tat, now) + n × emission; the k-th of them got base + k × emission.
    const res = await tx.query<{ tat_ms: number }>(
      `insert into flow_gcra (kind, function_id, key, tat_ms) values ('throttle', $1, $2, $3::float8 + $4::float8 * $5::int)
       on conflict (kind, function_id, key) do update set tat_ms = greatest(flow_gcra.tat_ms, $3::float8) + $4::float8 * $5::int
       returning tat_ms`,
      [fn.id, key, now, emission, idx.length],
    );
    const base = (res.rows[0]?.tat_ms ?? now) - idx.length * emission;
    idx.forEach((runIndex, k) => {
      out[runIndex] = Math.max(now, Math.ceil(base + (k + 1) * emission - dvt - 1e-6));
    });
    const last = out[idx.at(-1)!]!;
    if (last > now) {
      const delayed = idx.filter((i) => out[i]! > now).length;
      ctx.log.info("runs throttled", { fn: fn.id, key: key.slice(1) || undefined, runs: delayed, last_starts_at: new Date(last).toISOString() });
    }
  }
  return out;
}
