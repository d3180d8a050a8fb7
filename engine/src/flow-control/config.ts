// Compiles the flow-control fields of a synced FunctionConfig (throttle, rateLimit, debounce,
// batchEvents) and rejects, naming the field, what Inngest would reject or the engine cannot honour.
// Imports only the expression compiler: functions.ts depends on this module, never the reverse.
import { z } from "zod";
import { compile, type Compiled } from "../cel";

export type Throttle = { limit: number; periodMs: number; burst: number; key?: Compiled };
export type RateLimit = { limit: number; periodMs: number; key?: Compiled };
export type Debounce = { periodMs: number; timeoutMs?: number; key?: Compiled };
export type Batch = { maxSize: number; timeoutMs: number; key?: Compiled; if?: Compiled };
/** Undefined on a function without any of them. */
export type FlowControl = { throttle?: Throttle; rateLimit?: RateLimit; debounce?: Debounce; batch?: Batch };

export const MAX_BATCH_SIZE = 100;
/** Inngest starts a batch early when its events add up to this many bytes. */
export const MAX_BATCH_BYTES = 10 * 1024 * 1024;

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
const UNIT_MS: Record<string, number> = { w: 7 * DAY, d: DAY, h: HOUR, m: 60 * SECOND, s: SECOND, ms: 1 };

/** "1m", "1h30m", "2d", "500ms" → milliseconds (the config periods are sent exactly as written). */
export function parsePeriodMs(spec: string): number | null {
  const s = spec.trim();
  if (!/^(\d+(\.\d+)?(ms|w|d|h|m|s))+$/.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 0);
  return total;
}

const throttleSchema = z
  .object({ limit: z.number().int().min(1), period: z.string(), burst: z.number().int().min(0).optional(), key: z.string().optional() })
  .strict();
const rateLimitSchema = z.object({ limit: z.number().int().min(1), period: z.string(), key: z.string().optional() }).strict();
const debounceSchema = z.object({ period: z.string(), timeout: z.string().optional(), key: z.string().optional() }).strict();
const batchSchema = z
  .object({ maxSize: z.number().int(), timeout: z.string(), key: z.string().optional(), if: z.string().optional() })
  .strict();

type Fail = (msg: string) => never;

function period(fail: Fail, field: string, spec: string, min: number, max: number, range: string): number {
  const ms = parsePeriodMs(spec);
  if (ms === null || ms < min || ms > max) fail(`${field} ${JSON.stringify(spec)} must be a duration between ${range}`);
  return ms!;
}

function expr(fail: Fail, field: string, source: string | undefined): Compiled | undefined {
  if (source === undefined) return undefined;
  try {
    return compile(source, ["event"]);
  } catch (err) {
    return fail(`unsupported ${field} expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

function parse<T>(fail: Fail, field: string, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) fail(`invalid ${field}: ${r.error.issues.map((i) => `${[field, ...i.path].join(".")}: ${i.message}`).join("; ")}`);
  return (r as { data: T }).data;
}

/**
 * Reads `throttle`, `rateLimit`, `debounce` and `batchEvents` from a raw FunctionConfig. Bounds follow
 * Inngest's validation and docs: throttle and debounce periods 1 s–7 d, rateLimit period 1 s–24 h,
 * batch timeout ≥ 1 s, batch size 1–100 (this engine's maximum). Batching cannot be combined with
 * debounce or cancelOn (Inngest rejects those at registration too).
 */
export function compileFlowControl(config: Record<string, unknown>, fail: Fail): FlowControl | undefined {
  const flow: FlowControl = {};
  if (config.throttle !== undefined && config.throttle !== null) {
    const t = parse(fail, "throttle", throttleSchema, config.throttle);
    flow.throttle = {
      limit: t.limit,
      periodMs: period(fail, "throttle.period", t.period, SECOND, 7 * DAY, "1s and 7d"),
      burst: t.burst ?? 0,
      key: expr(fail, "throttle.key", t.key),
    };
  }
  if (config.rateLimit !== undefined && config.rateLimit !== null) {
    const r = parse(fail, "rateLimit", rateLimitSchema, config.rateLimit);
    flow.rateLimit = {
      limit: r.limit,
      periodMs: period(fail, "rateLimit.period", r.period, SECOND, DAY, "1s and 24h"),
      key: expr(fail, "rateLimit.key", r.key),
    };
  }
  if (config.debounce !== undefined && config.debounce !== null) {
    const d = parse(fail, "debounce", debounceSchema, config.debounce);
    flow.debounce = {
      periodMs: period(fail, "debounce.period", d.period, SECOND, 7 * DAY, "1s and 7d"),
      timeoutMs: d.timeout === undefined ? undefined : period(fail, "debounce.timeout", d.timeout, SECOND, 7 * DAY, "1s and 7d"),
      key: expr(fail, "debounce.key", d.key),
    };
  }
  if (config.batchEvents !== undefined && config.batchEvents !== null) {
    const b = parse(fail, "batchEvents", batchSchema, config.batchEvents);
    if (b.maxSize < 1 || b.maxSize > MAX_BATCH_SIZE) fail(`batchEvents.maxSize ${b.maxSize} must be between 1 and ${MAX_BATCH_SIZE}`);
    if (flow.debounce) fail(`"batchEvents" cannot be combined with "debounce"`);
    if (Array.isArray(config.cancel) && config.cancel.length) fail(`"batchEvents" cannot be combined with "cancel" (cancelOn)`);
    flow.batch = {
      maxSize: b.maxSize,
      timeoutMs: period(fail, "batchEvents.timeout", b.timeout, SECOND, 7 * DAY, "1s and 7d"),
      key: expr(fail, "batchEvents.key", b.key),
      if: expr(fail, "batchEvents.if", b.if),
    };
  }
  return Object.keys(flow).length ? flow : undefined;
}
