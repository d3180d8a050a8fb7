// One line per run transition on stdout. Tests pass `silent` (or a sink) so output stays clean, and
// nothing here uses console.error: the test setup fails any test that calls it. `debug` lines
// (an event that no function listens to, an app poll that found nothing new) are written only at
// log level "debug".
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type Logger = {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** Whether debug lines are written: callers skip work that only feeds a debug line. */
  readonly debugEnabled: boolean;
};
export type LogSink = (line: string) => void;
export type LogLevel = "info" | "debug";

export function createLogger(sink: LogSink | "stdout" | "silent" = "stdout", level: LogLevel = "info"): Logger {
  if (sink === "silent") return { info: () => {}, warn: () => {}, debug: () => {}, debugEnabled: false };
  const write: LogSink = sink === "stdout" ? (line) => process.stdout.write(`${line}\n`) : sink;
  const format = (lvl: string, msg: string, fields?: LogFields) => {
    const parts = [new Date().toISOString(), lvl, msg];
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (v === undefined) continue;
      parts.push(`${k}=${typeof v === "string" && /\s/.test(v) ? JSON.stringify(v) : String(v)}`);
    }
    return parts.join(" ");
  };
  const debugEnabled = level === "debug";
  return {
    info: (msg, fields) => write(format("INFO", msg, fields)),
    warn: (msg, fields) => write(format("WARN", msg, fields)),
    debug: debugEnabled ? (msg, fields) => write(format("DEBUG", msg, fields)) : () => {},
    debugEnabled,
  };
}
