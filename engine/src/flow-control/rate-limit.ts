// rateLimit: GCRA per function and key, checked when an event arrives (notes §5). An event over the
// limit starts no run: it is recorded as a run with status `skipped` (skip_reason `rate_limited`),
// visible in the read API and logged, and never queued.
//
//   burst = floor(limit / 10);  emission = period / limit;  dvt = emission × (burst + 1)
//   tat' = max(tat, now) + emission;  allowed ⇔ tat' − dvt ≤ now  (then store tat')
//
// A key expression whose field is missing means "not rate limited" (Inngest), and so does one
// that fails to evaluate (Inngest fails the schedule; failing open is the documented deviation).
import type { Ctx } from "../context";
import { iso, type Tx } from "../db";
import type { FnDef } from "../functions";
import type { EventPayload } from "../types";
import { ulid } from "../ulid";
import { evaluateFlowKey } from "./keys";

/** Whether the event may start a run; records the skipped run when it may not. */
export async function rateLimitAdmits(ctx: Ctx, tx: Tx, fn: FnDef, eventInternalId: string, event: EventPayload): Promise<boolean> {
  const r = fn.flow?.rateLimit;
  if (!r) return true;
  let key = "";
  if (r.key) {
    try {
      const k = evaluateFlowKey(r.key, event);
      if (k.missing) {
        ctx.log.warn("rateLimit key is missing; the event is not rate limited", { fn: fn.id, expression: r.key.source, event: event.id });
        return true;
      }
      key = `=${k.value}`;
    } catch (err) {
      ctx.log.warn("rateLimit key could not be evaluated; the event is not rate limited", {
        fn: fn.id,
        expression: r.key.source,
        error: (err as Error).message,
      });
      return true;
    }
  }
  const now = ctx.clock();
  const emission = (r.periodMs * ctx.opts.timeScale) / r.limit;
  const dvt = emission * (Math.floor(r.limit / 10) + 1);
  const res = await tx.query(
    `insert into flow_gcra (kind, function_id, key, tat_ms) values ('rate_limit', $1, $2, $3::float8 + $4::float8)
     on conflict (kind, function_id, key) do update set tat_ms = greatest(flow_gcra.tat_ms, $3::float8) + $4::float8
      where greatest(flow_gcra.tat_ms, $3::float8) + $4::float8 - $5::float8 <= $3::float8`,
    [fn.id, key, now, emission, dvt],
  );
  if (res.rowCount) return true;
  const runId = ulid(now);
  await tx.query(
    `insert into runs (id, function_id, event_id, status, created_at, ended_at, skip_reason)
     values ($1, $2, $3, 'skipped', $4, $4, 'rate_limited')`,
    [runId, fn.id, eventInternalId, iso(now)],
  );
  ctx.log.info("run skipped (rate limited)", { run: runId, fn: fn.id, event: event.name, key: key.slice(1) || undefined });
  return false;
}
