// One line per request. Tests pass `log: false`; the CLI writes to stdout. Never console.error:
// the Vitest setup fails any test that triggers it, and nothing here is the test's fault.
export type LogOption = boolean | ((line: string) => void);
export type Log = (line: string) => void;

export function createLog(option: LogOption | undefined): Log {
  if (option === false) return () => {};
  if (typeof option === "function") return option;
  return (line) => {
    process.stdout.write(`[mail-catcher] ${line}\n`);
  };
}
