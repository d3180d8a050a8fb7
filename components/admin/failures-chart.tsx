/** Failures per day as plain SVG bars: looked at, not read (the numbers are in the title tooltips). */
export function FailuresChart({ series }: { series: { day: string; failures: number }[] }) {
  const max = Math.max(1, ...series.map((s) => s.failures));
  const width = 560;
  const height = 140;
  const bar = width / series.length;
  return (
    <figure>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label="Failures per day, last 14 days" className="w-full">
        {series.map((s, i) => {
          const h = Math.round((s.failures / max) * height);
          return (
            <g key={s.day}>
              <title>{`${s.day}: ${s.failures} failure${s.failures === 1 ? "" : "s"}`}</title>
              <rect x={i * bar + 4} y={height - h} width={bar - 8} height={Math.max(h, s.failures ? 2 : 0)} rx={3} className="fill-indigo-500" />
              {i % 2 === 0 ? (
                <text x={i * bar + bar / 2} y={height + 14} textAnchor="middle" className="fill-slate-500 text-[10px]">
                  {s.day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
        <line x1={0} x2={width} y1={height} y2={height} className="stroke-slate-200" />
      </svg>
    </figure>
  );
}
