// One JSON line per entry: readable by people in a terminal and by log shippers in production.
// Written to the streams directly: expected failures (a step error that will be retried) are
// logged here, while console.error stays reserved for the unexpected (tests fail on it).
import { env } from "@/lib/env";

type Level = "debug" | "info" | "warn" | "error";
const rank = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 } as const;

/**
 * An Error as plain data: name, message, stack, its own fields (a code, a status) and its cause,
 * wherever it sits — top level, inside `{ err }` as the Inngest SDK passes it, or in an array.
 * JSON.stringify alone writes `{}` for an Error (its fields are not enumerable).
 */
export function serializeError(error: Error, seen = new WeakSet<object>()): Record<string, unknown> {
  seen.add(error);
  const out: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) out[key] = toLoggable(value, seen);
  if (error.cause !== undefined) out.cause = toLoggable(error.cause, seen);
  if (error instanceof AggregateError) out.errors = error.errors.map((e) => toLoggable(e, seen));
  return out;
}

function toLoggable(value: unknown, seen: WeakSet<object>): unknown {
  if (value instanceof Error) return seen.has(value) ? "[circular]" : serializeError(value, seen);
  if (Array.isArray(value)) return value.map((v) => toLoggable(v, seen));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    if (seen.has(value)) return "[circular]";
    seen.add(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toLoggable(v, seen)]));
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}

export function formatEntry(level: Level, args: unknown[], time = new Date()): string {
  // Accepts both console style (msg, ...details) and pino style (details, msg), as the SDK uses.
  const msgIndex = args.findIndex((a) => typeof a === "string");
  const entry: Record<string, unknown> = { time: time.toISOString(), level, msg: msgIndex >= 0 ? args[msgIndex] : undefined };
  const extras = args.filter((_, i) => i !== msgIndex);
  extras.forEach((value, i) => {
    const key = extras.length === 1 ? "detail" : `detail${i}`;
    entry[key] = toLoggable(value, new WeakSet());
  });
  return `${JSON.stringify(entry)}\n`;
}

function write(level: Level, args: unknown[]) {
  if (rank[level] < rank[env.LOG_LEVEL]) return;
  const line = formatEntry(level, args);
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line);
}

export const logger = {
  debug: (...args: unknown[]) => write("debug", args),
  info: (...args: unknown[]) => write("info", args),
  warn: (...args: unknown[]) => write("warn", args),
  error: (...args: unknown[]) => write("error", args),
};
