// Compiles synced FunctionConfigs into what the engine executes, and rejects at sync time anything
// it cannot honour, naming the function, instead of silently running it differently.
import { Cron } from "croner";
import { z } from "zod";
import { compile, type Compiled } from "./cel";
import { parseDurationMs, timeoutMs } from "./duration";
import { compileFlowControl, type FlowControl } from "./flow-control/config";

export class SyncError extends Error {
  override name = "SyncError";
}

export const DEFAULT_RETRIES = 4; // Inngest's consts.DefaultRetryCount: 5 attempts

export type EventTrigger = { kind: "event"; event: string; pattern: RegExp; expression?: Compiled };
export type CronTrigger = { kind: "cron"; cron: string; schedule: Cron; timezone: string; jitterMs: number };
export type ConcurrencyLimit = { limit: number; key?: Compiled; scope: "fn" | "env" | "account" };
/** A cancelOn entry: `timeout` is kept as sent (a duration or an ISO date), resolved at schedule. */
export type CancelOn = { event: string; expression?: Compiled; timeout?: string };

export type FnDef = {
  id: string;
  appId: string;
  name: string;
  url: string;
  maxAttempts: number;
  events: EventTrigger[];
  crons: CronTrigger[];
  idempotency?: Compiled;
  concurrency: ConcurrencyLimit[];
  cancel: CancelOn[];
  /** timeouts.start / timeouts.finish in (unscaled) milliseconds. */
  timeouts: { startMs?: number; finishMs?: number };
  /** throttle, rateLimit, debounce, batchEvents (flow-control/); undefined when none is set. */
  flow?: FlowControl;
  config: FunctionConfig;
};

const concurrencyItem = z.union([
  z.number().int(),
  z.object({ limit: z.number().int(), key: z.string().optional(), scope: z.enum(["fn", "env", "account"]).optional() }),
]);

const functionConfigSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    triggers: z
      .array(
        z.union([
          z.object({ event: z.string().min(1), expression: z.string().optional() }).loose(),
          z.object({ cron: z.string().min(1), jitter: z.string().optional() }).loose(),
        ]),
      )
      .default([]),
    steps: z.record(
      z.string(),
      z
        .object({
          id: z.string().optional(),
          name: z.string().optional(),
          runtime: z.object({ type: z.string().optional(), url: z.string().min(1) }).loose(),
          retries: z.object({ attempts: z.number().int().min(0).max(20) }).optional(),
        })
        .loose(),
    ),
    idempotency: z.string().optional(),
    concurrency: z.union([concurrencyItem, z.array(concurrencyItem).max(2)]).optional(),
    cancel: z
      .array(z.object({ event: z.string().min(1), if: z.string().optional(), timeout: z.string().optional() }).strict())
      .max(5)
      .optional(),
    timeouts: z.object({ start: z.string().optional(), finish: z.string().optional() }).strict().optional(),
  })
  .loose();

export type FunctionConfig = z.infer<typeof functionConfigSchema>;

// Every FunctionConfig field the SDK sends (notes §13.9). Fields the engine does not implement are
// refused by name; a field not in this list at all (a newer SDK) is refused as unknown. Rejecting
// beats pretending.
const SUPPORTED_FIELDS = new Set([
  "id", "name", "triggers", "steps", "idempotency", "concurrency", "cancel", "timeouts",
  // Flow control (flow-control/config.ts).
  "throttle", "rateLimit", "debounce", "batchEvents",
]);
const REFUSED_FIELDS: Record<string, string> = {
  singleton: "is not supported by this engine",
  priority: "is not supported by this engine (run priority)",
};
/** `createDefer()` functions are triggered by this internal event (notes §10.4). */
const DEFER_EVENT = "inngest/deferred.schedule";
const JITTER_MIN_MS = 1000;
const JITTER_MAX_MS = 5 * 60_000;

/**
 * The SDK leaks `deployId` into registered URLs (protocol doc §1.3); strip it before calling them.
 * Also the app poll's `engine-poll` marker, which an out-of-band sync would register otherwise.
 */
export function stripDeployId(url: string): string {
  try {
    const u = new URL(url);
    u.searchParams.delete("deployId");
    u.searchParams.delete("engine-poll");
    return u.toString();
  } catch {
    return url;
  }
}

export function parseCron(spec: string): { schedule: Cron; timezone: string } {
  let expr = spec.trim();
  let timezone = "UTC";
  const m = /^(?:CRON_)?TZ=(\S+)\s+(.+)$/.exec(expr);
  if (m) {
    timezone = m[1] ?? "UTC";
    expr = (m[2] ?? "").trim();
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new SyncError(`unknown time zone "${timezone}" in cron "${spec}"`);
  }
  if (!expr.startsWith("@") && expr.split(/\s+/).length !== 5) {
    throw new SyncError(`cron "${spec}" must have 5 fields (minute hour day-of-month month day-of-week)`);
  }
  try {
    return { schedule: new Cron(expr, { timezone, paused: true }), timezone };
  } catch (err) {
    throw new SyncError(`invalid cron "${spec}": ${(err as Error).message}`);
  }
}

function wildcard(name: string): RegExp {
  const escaped = name.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

export function compileFunction(raw: unknown, appId: string): FnDef {
  const rawId = typeof raw === "object" && raw && "id" in raw ? String((raw as { id: unknown }).id) : "(no id)";
  const fail = (msg: string): never => {
    throw new SyncError(`function "${rawId}": ${msg}`);
  };
  if (typeof raw === "object" && raw) {
    for (const [key, value] of Object.entries(raw)) {
      if (value === undefined || value === null) continue;
      const refused = REFUSED_FIELDS[key];
      if (refused) fail(`"${key}" ${refused}`);
      if (!SUPPORTED_FIELDS.has(key)) fail(`unknown config field "${key}" is not supported by this engine`);
    }
  }
  const parsed = functionConfigSchema.safeParse(raw);
  if (!parsed.success) fail(`invalid config: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const config = parsed.data as FunctionConfig;
  const step = config.steps["step"] ?? Object.values(config.steps)[0];
  if (!step) fail("no step runtime URL");
  if (step!.runtime.type !== undefined && step!.runtime.type !== "http") {
    fail(`runtime type "${step!.runtime.type}" (connect() workers) is not supported by this engine; use serve()`);
  }
  const url = stripDeployId(step!.runtime.url);
  const retries = step!.retries?.attempts ?? DEFAULT_RETRIES;

  const events: EventTrigger[] = [];
  const crons: CronTrigger[] = [];
  for (const t of config.triggers) {
    const extra = Object.keys(t).filter((k) => !["event", "expression", "cron", "jitter"].includes(k));
    if (extra.length) fail(`trigger field "${extra[0]}" is not supported by this engine`);
    if ("event" in t && typeof t.event === "string") {
      if ("jitter" in t || "cron" in t) fail(`trigger ${JSON.stringify(t)} mixes event and cron fields`);
      if (t.event === DEFER_EVENT) fail(`defer() / createDefer() (trigger "${DEFER_EVENT}") is not supported by this engine`);
      let expression: Compiled | undefined;
      const source = typeof t.expression === "string" ? t.expression : undefined;
      if (source) {
        try {
          expression = compile(source, ["event"]);
        } catch (err) {
          fail(`unsupported trigger expression ${JSON.stringify(source)}: ${(err as Error).message}`);
        }
      }
      events.push({ kind: "event", event: t.event, pattern: wildcard(t.event), expression });
    } else if ("cron" in t && typeof t.cron === "string") {
      if (crons.some((c) => c.cron === t.cron)) fail(`duplicate cron "${t.cron}"`);
      let jitterMs = 0;
      if (typeof t.jitter === "string" && t.jitter) {
        const ms = parseDurationMs(t.jitter);
        if (ms === null || ms < JITTER_MIN_MS || ms > JITTER_MAX_MS) {
          fail(`cron jitter ${JSON.stringify(t.jitter)} must be a duration between 1s and 5m`);
        }
        jitterMs = ms ?? 0;
      }
      try {
        crons.push({ kind: "cron", cron: t.cron, jitterMs, ...parseCron(t.cron) });
      } catch (err) {
        fail((err as Error).message);
      }
    } else fail(`unsupported trigger ${JSON.stringify(t)}`);
  }
  if (crons.length > 10) fail("at most 10 cron triggers");

  let idempotency: Compiled | undefined;
  if (config.idempotency) {
    try {
      idempotency = compile(config.idempotency, ["event"]);
    } catch (err) {
      fail(`unsupported idempotency expression ${JSON.stringify(config.idempotency)}: ${(err as Error).message}`);
    }
  }

  const concurrency: ConcurrencyLimit[] = [];
  const limits = config.concurrency === undefined ? [] : Array.isArray(config.concurrency) ? config.concurrency : [config.concurrency];
  for (const c of limits) {
    const item = typeof c === "number" ? { limit: c } : c;
    if (item.limit <= 0) continue; // 0 means "no limit" in Inngest
    let key: Compiled | undefined;
    if (item.key) {
      try {
        key = compile(item.key, ["event"]);
      } catch (err) {
        fail(`unsupported concurrency key ${JSON.stringify(item.key)}: ${(err as Error).message}`);
      }
    }
    concurrency.push({ limit: item.limit, key, scope: item.scope ?? "fn" });
  }

  const cancel: CancelOn[] = [];
  for (const [i, c] of (config.cancel ?? []).entries()) {
    let expression: Compiled | undefined;
    if (c.if) {
      try {
        expression = compile(c.if, ["event", "async"]);
      } catch (err) {
        fail(`unsupported cancelOn[${i}] expression ${JSON.stringify(c.if)}: ${(err as Error).message}`);
      }
    }
    if (c.timeout !== undefined && timeoutMs(c.timeout, 0) === null) fail(`cancelOn[${i}] timeout ${JSON.stringify(c.timeout)} is not a duration or a date`);
    cancel.push({ event: c.event, expression, timeout: c.timeout });
  }

  const timeouts: FnDef["timeouts"] = {};
  for (const k of ["start", "finish"] as const) {
    const v = config.timeouts?.[k];
    if (v === undefined) continue;
    const ms = parseDurationMs(v);
    if (ms === null || ms <= 0) fail(`timeouts.${k} ${JSON.stringify(v)} is not a positive duration`);
    timeouts[k === "start" ? "startMs" : "finishMs"] = ms ?? undefined;
  }

  const flow = compileFlowControl(config as Record<string, unknown>, fail);

  return {
    id: config.id,
    appId,
    name: config.name ?? config.id,
    url,
    maxAttempts: retries + 1,
    events,
    crons,
    idempotency,
    concurrency,
    cancel,
    timeouts,
    flow,
    config,
  };
}
