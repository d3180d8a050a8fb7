// One line per run transition on stdout. Tests pass `silent` (or a sink) so output stays clean, and
// nothing here uses console.error: the test setup fails any test that calls it.
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type Logger = {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
};
export type LogSink = (line: string) => void;

export function createLogger(sink: LogSink | "stdout" | "silent" = "stdout"): Logger {
  if (sink === "silent") return { info: () => {}, warn: () => {} };
  const write: LogSink = sink === "stdout" ? (line) => process.stdout.write(`${line}\n`) : sink;
  const format = (level: string, msg: string, fields?: LogFields) => {
    const parts = [new Date().toISOString(), level, msg];
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (v === undefined) continue;
      parts.push(`${k}=${typeof v === "string" && /\s/.test(v) ? JSON.stringify(v) : String(v)}`);
    }
    return parts.join(" ");
  };
  return {
    info: (msg, fields) => write(format("INFO", msg, fields)),
    warn: (msg, fields) => write(format("WARN", msg, fields)),
  };
}
