import type { Timeline, TimelineRow } from "@/lib/dead-letters/timeline";
import { duration } from "@/components/admin/relative-time";

const tone: Record<TimelineRow["outcome"], string> = {
  succeeded: "bg-emerald-500",
  "failed, retried": "bg-amber-500",
  "failed for good": "bg-red-600",
  failed: "bg-red-600",
  slept: "bg-slate-400",
  "waited for an event": "bg-slate-400",
  invoked: "bg-slate-400",
};
const failure = (o: TimelineRow["outcome"]) => o === "failed, retried" || o === "failed for good" || o === "failed";

/**
 * One row per step (consecutive identical failures collapsed), one bar per attempt placed on the
 * run's time axis, so the backoff before each attempt shows as the gap before its bar. The same
 * facts are written out below each row for screen readers and for reading.
 */
export function Waterfall({ timeline }: { timeline: Timeline }) {
  const span = Math.max(1, timeline.end - timeline.start);
  return (
    <div className="mt-2 flex flex-col gap-3" data-testid="waterfall">
      <p className="text-xs text-slate-600">
        {timeline.attempts} attempt{timeline.attempts === 1 ? "" : "s"} over {duration(span)}
      </p>
      {timeline.rows.map((row, i) => (
        <div key={i} className="flex flex-col gap-1" data-testid="attempt">
          <div className="flex flex-wrap items-baseline gap-x-2">
            <span className="font-medium">{row.step}</span>
            <span className={failure(row.outcome) ? "text-red-800" : row.outcome === "succeeded" ? "text-emerald-800" : "text-slate-700"}>
              {row.bars.length > 1 && failure(row.outcome) ? `failed ${row.bars.length}× with the same error` : row.outcome}
              {row.bars.length > 1 && row.outcome === "failed for good" ? ", then gave up" : ""}
            </span>
          </div>
          <div className="relative h-4 w-full rounded bg-slate-100" aria-hidden="true">
            {row.bars.map((bar) => (
              <span
                key={bar.attempt + ":" + bar.start}
                className={`absolute top-0 h-4 rounded ${tone[row.outcome]}`}
                style={{ left: `${((bar.start - timeline.start) / span) * 100}%`, width: `max(3px, ${(bar.durationMs / span) * 100}%)` }}
              />
            ))}
          </div>
          <ol className="flex flex-wrap gap-x-3 text-xs text-slate-700">
            {row.bars.map((bar) => (
              <li key={bar.attempt + ":" + bar.start} data-testid="attempt-bar">
                {bar.waitBeforeMs >= 50 ? <span className="text-slate-600">waited {duration(bar.waitBeforeMs)} → </span> : null}
                attempt {bar.attempt}: {duration(bar.durationMs)}
              </li>
            ))}
          </ol>
          {row.error ? <p className="text-xs break-words text-slate-700">{row.error}</p> : null}
        </div>
      ))}
    </div>
  );
}
