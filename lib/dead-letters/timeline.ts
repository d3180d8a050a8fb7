// A run's attempts (from the executor's read API) as a waterfall: one bar per attempt with its
// duration and the wait before it, consecutive identical failures collapsed into one row, and no
// executor internals (HTTP status codes of the step protocol, the final request that only reports
// the failure). Plain module: the page renders it, unit tests check it.

export type RawAttempt = {
  step_id: string;
  step_name?: string | null;
  attempt: number;
  outcome: string;
  error?: unknown;
  started_at: string;
  ended_at?: string | null;
};

export type Bar = { attempt: number; start: number; end: number; durationMs: number; waitBeforeMs: number };
export type TimelineRow = {
  step: string;
  outcome: "succeeded" | "failed, retried" | "failed for good" | "failed" | "slept" | "waited for an event" | "invoked";
  error: string | null;
  bars: Bar[];
};
export type Timeline = { start: number; end: number; rows: TimelineRow[]; attempts: number };

export function errorText(error: unknown): string | null {
  if (!error || typeof error !== "object") return null;
  const e = error as { name?: unknown; message?: unknown };
  return typeof e.message === "string" ? `${typeof e.name === "string" && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}` : null;
}

const OUTCOMES: Record<string, TimelineRow["outcome"]> = {
  ok: "succeeded",
  completed: "succeeded",
  error: "failed, retried",
  failed: "failed for good",
  sleep: "slept",
  waiting: "waited for an event",
  invoked: "invoked",
};
const FAILED = new Set<TimelineRow["outcome"]>(["failed, retried", "failed for good", "failed"]);
export const isFailure = (outcome: TimelineRow["outcome"]) => FAILED.has(outcome);

export function buildTimeline(raw: RawAttempt[]): Timeline {
  const sorted = [...raw].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  // "step" is the executor's request that discovers the next step or reports the run's end; it is
  // not an attempt of the work, unless the failure happened outside any step.
  const work = sorted.filter((a) => a.step_id !== "step");
  const failed = (a: RawAttempt) => a.outcome === "error" || a.outcome === "failed";
  const attempts = work.some(failed) || !sorted.some((a) => a.step_id === "step" && failed(a)) ? work : sorted;
  const rows: TimelineRow[] = [];
  let previousEnd: number | null = null;
  for (const a of attempts) {
    const start = Date.parse(a.started_at);
    const end = Math.max(start, a.ended_at ? Date.parse(a.ended_at) : start);
    const bar: Bar = { attempt: a.attempt + 1, start, end, durationMs: end - start, waitBeforeMs: previousEnd === null ? 0 : Math.max(0, start - previousEnd) };
    previousEnd = end;
    const step = a.step_name || a.step_id;
    const outcome = OUTCOMES[a.outcome] ?? "failed";
    const error = isFailure(outcome) ? errorText(a.error) : null;
    const last = rows.at(-1);
    const sameAsLast = last && last.step === step && last.error === error && (last.outcome === outcome || (isFailure(outcome) && isFailure(last.outcome)));
    if (sameAsLast) {
      last.bars.push(bar);
      last.outcome = outcome; // the row ends the way its last attempt did
    } else {
      rows.push({ step, outcome, error, bars: [bar] });
    }
  }
  const start = attempts.length ? Math.min(...rows.flatMap((r) => r.bars.map((b) => b.start))) : 0;
  const end = attempts.length ? Math.max(...rows.flatMap((r) => r.bars.map((b) => b.end))) : 0;
  return { start, end, rows, attempts: attempts.length };
}
