import type { RunView } from "@/lib/dead-letters/runs";
import { exactUtc } from "@/components/admin/relative-time";
import { Waterfall } from "@/components/admin/waterfall";

/** "5 attempts", "1 attempt", or "unknown attempts" when the executor's record could not be read. */
export function attemptsText(attempts: number | null): string {
  if (attempts === null) return "unknown attempts";
  return `${attempts} attempt${attempts === 1 ? "" : "s"}`;
}

/**
 * The letter's runs, first run then retries. A run the executor cannot give says so with the
 * reason, next to what the letter recorded itself — never a made-up count or an empty waterfall.
 */
export function RunTimelines({ runs }: { runs: RunView[] }) {
  return (
    <ol className="flex flex-col gap-6 text-sm" data-testid="attempt-timeline">
      {runs.map((run, i) => (
        <li key={run.runId} className="min-w-0" data-testid="run">
          <h3 className="font-medium">
            {i === 0 ? "First run" : `Retry ${i}`} <span className="font-mono text-xs font-normal text-slate-600 break-all">{run.runId}</span>
            {run.status ? <span className="font-normal text-slate-600"> · {run.status.toLowerCase()}</span> : null}
          </h3>
          {run.timeline ? <Waterfall timeline={run.timeline} /> : null}
          {run.unavailable ? (
            <p className="text-slate-600" data-testid="timeline-unavailable">
              {`Timeline unavailable (${run.unavailable})`}
            </p>
          ) : null}
          {!run.timeline && run.entry ? (
            <p className="text-slate-700">
              {exactUtc(new Date(run.entry.at))}: failed after {attemptsText(run.entry.attempts)} — {run.entry.errorName}: {run.entry.errorMessage}
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
