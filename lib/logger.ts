// One JSON line per entry: readable by people in a terminal and by log shippers in production.
// Written to the streams directly: expected failures (a step error that will be retried) are
// logged here, while console.error stays reserved for the unexpected (tests fail on it).
import { env } from "@/lib/env";

type Level = "debug" | "info" | "warn" | "error";
const rank = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 } as const;

function write(level: Level, args: unknown[]) {
  if (rank[level] < rank[env.LOG_LEVEL]) return;
  // Accepts both console style (msg, ...details) and pino style (details, msg), as the SDK uses.
  const msgIndex = args.findIndex((a) => typeof a === "string");
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg: msgIndex >= 0 ? args[msgIndex] : undefined };
  const extras = args.filter((_, i) => i !== msgIndex);
  extras.forEach((value, i) => {
    const key = extras.length === 1 ? "detail" : `detail${i}`;
    entry[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  });
  const line = `${JSON.stringify(entry)}\n`;
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line);
}

export const logger = {
  debug: (...args: unknown[]) => write("debug", args),
  info: (...args: unknown[]) => write("info", args),
  warn: (...args: unknown[]) => write("warn", args),
  error: (...args: unknown[]) => write("error", args),
};
