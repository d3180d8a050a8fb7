/**
 * Failures per day as HTML bars: every bar carries its number, the y axis has a scale, the days
 * are labelled, and the same figures are a table for screen readers (the bars are hidden from
 * them). HTML rather than SVG so text keeps its size on any screen.
 */
export function FailuresChart({ series }: { series: { day: string; failures: number }[] }) {
  const max = Math.max(1, ...series.map((s) => s.failures));
  const top = niceCeiling(max);
  const ticks = [top, Math.round(top / 2), 0];
  const total = series.reduce((n, s) => n + s.failures, 0);
  const label = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
  return (
    <figure className="flex flex-col gap-2" data-testid="failures-chart">
      <figcaption className="text-sm text-slate-700">
        {total} failure{total === 1 ? "" : "s"} in the last {series.length} days (UTC)
      </figcaption>
      <div className="flex gap-2" aria-hidden="true">
        <div className="flex h-40 flex-col justify-between text-right text-xs text-slate-600">
          {ticks.map((t) => (
            <span key={t} className="-my-2 leading-4">{t}</span>
          ))}
        </div>
        <div className="relative flex h-40 flex-1 items-end gap-0.5 border-b border-l border-slate-300 sm:gap-1">
          <div className="pointer-events-none absolute inset-x-0 top-1/2 border-t border-dashed border-slate-200" />
          <div className="pointer-events-none absolute inset-x-0 top-0 border-t border-dashed border-slate-200" />
          {series.map((s) => (
            <div key={s.day} className="flex h-full min-w-0 flex-1 flex-col items-center justify-end">
              <span className="text-[11px] leading-4 text-slate-700 sm:text-xs">{s.failures || ""}</span>
              <div className="w-full rounded-t bg-indigo-500" style={{ height: `${(s.failures / top) * 100}%`, minHeight: s.failures ? 2 : 0 }} />
            </div>
          ))}
        </div>
      </div>
      <div className="flex gap-0.5 pl-8 text-[11px] text-slate-600 sm:gap-1 sm:text-xs" aria-hidden="true">
        {series.map((s, i) => (
          <span key={s.day} className="min-w-0 flex-1 text-center whitespace-nowrap">
            {i % 2 === series.length % 2 ? label(s.day) : ""}
          </span>
        ))}
      </div>
      <table className="sr-only">
        <caption>Failures per day</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Failures</th>
          </tr>
        </thead>
        <tbody>
          {series.map((s) => (
            <tr key={s.day}>
              <th scope="row">{s.day}</th>
              <td>{s.failures}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** 1, 2, 5 × 10ⁿ at or above `n`: an axis that reads well. */
function niceCeiling(n: number): number {
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}
