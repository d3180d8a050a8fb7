// Key expressions of flow control, evaluated on the run's first event as Inngest does (notes §12):
// a key whose field is missing evaluates to `false` in Inngest's CEL wrapper, so
//   - throttle, debounce and batchEvents put every such event under the one key "false";
//   - rateLimit does not limit such an event at all.
// An explicit `null` is an ordinary value: one shared key "null".
//
// The expression compiler reads a missing field as null; to tell "missing" from "null" the event
// is evaluated through a proxy that records lookups of absent fields. A key is missing when its
// value is null and an absent field was read. (In a concatenation Inngest drops the missing part,
// `"u-" + event.data.x` → "u-"; here it reads "u-null". Both are one shared key.)
import type { Compiled } from "../cel";
import type { Ctx } from "../context";
import type { EventPayload } from "../types";

export type FlowKey = { missing: true } | { missing: false; value: string };

function tracked(value: unknown, onMissing: () => void): unknown {
  if (typeof value !== "object" || value === null) return value;
  return new Proxy(value as object, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      // JSON.stringify probes toJSON; it is not a field of the event.
      if (v === undefined && typeof prop === "string" && prop !== "toJSON") onMissing();
      return tracked(v, onMissing);
    },
  });
}

/** Evaluates a key expression; throws what the expression throws. */
export function evaluateFlowKey(expr: Compiled, event: EventPayload): FlowKey {
  let sawMissing = false;
  const v = expr.evaluate({ event: tracked(event, () => (sawMissing = true)) });
  if ((v === null || v === undefined) && sawMissing) return { missing: true };
  return { missing: false, value: typeof v === "string" ? v : JSON.stringify(v ?? null) };
}

/**
 * The bucket of a throttle / debounce / batch key: "" without a key expression (one bucket per
 * function), `=<value>` with one, and "=false" when the field is missing or the expression fails
 * (Inngest shares one key then; an evaluation error is logged).
 */
export function sharedKey(ctx: Ctx, fnId: string, what: string, expr: Compiled | undefined, event: EventPayload): string {
  if (!expr) return "";
  try {
    const k = evaluateFlowKey(expr, event);
    if (k.missing) {
      ctx.log.warn(`${what} key is missing; the event shares the key "false"`, { fn: fnId, expression: expr.source, event: event.id });
      return "=false";
    }
    return `=${k.value}`;
  } catch (err) {
    ctx.log.warn(`${what} key could not be evaluated; the event shares the key "false"`, {
      fn: fnId,
      expression: expr.source,
      error: (err as Error).message,
    });
    return "=false";
  }
}
