// Key expressions of flow control, evaluated on the run's first event as Inngest does (notes §12),
// with the same key mode as idempotency and concurrency keys (cel.ts `evaluateKey`): a key whose
// field is missing is *unknown*, which Inngest's CEL wrapper turns into `false`, so
//   - throttle, debounce and batchEvents put every such event under the one key "false";
//   - rateLimit does not limit such an event at all.
// An explicit `null` is an ordinary value: one shared key "null". In a concatenation a missing
// part is dropped (`"u-" + event.data.x` → "u-"), as in Inngest.
import { evaluateKey, type Compiled } from "../cel";
import type { Ctx } from "../context";
import type { EventPayload } from "../types";

export type FlowKey = { missing: true } | { missing: false; value: string };

/** Evaluates a key expression; throws what the expression throws. */
export function evaluateFlowKey(expr: Compiled, event: EventPayload): FlowKey {
  const v = evaluateKey(expr, { event });
  return v.missing ? { missing: true } : { missing: false, value: v.key };
}

/**
 * The bucket of a throttle / debounce / batch key: "" without a key expression (one bucket per
 * function), `=<value>` with one, and "=false" when the field is missing or the expression fails
 * (Inngest shares one key then; an evaluation error is logged).
 */
export function sharedKey(ctx: Ctx, fnId: string, what: string, expr: Compiled | undefined, event: EventPayload): string {
  if (!expr) return "";
  try {
    const k = evaluateKey(expr, { event });
    if (k.missing) {
      ctx.log.warn(`${what} key is missing; the event shares the key "false"`, { fn: fnId, expression: expr.source, event: event.id });
      return "=false";
    }
    if (k.isNull) ctx.log.warn(`${what} key is null (shared by every such event)`, { fn: fnId, expression: expr.source, event: event.id });
    return `=${k.key}`;
  } catch (err) {
    ctx.log.warn(`${what} key could not be evaluated; the event shares the key "false"`, {
      fn: fnId,
      expression: expr.source,
      error: (err as Error).message,
    });
    return "=false";
  }
}
