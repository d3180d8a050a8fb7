/** "3 min ago", with the exact UTC time on hover (title) and for machines (dateTime). */
export function RelativeTime({ date, now }: { date: Date; now: Date }) {
  return (
    <time dateTime={date.toISOString()} title={exactUtc(date)} className="whitespace-nowrap">
      {relative(date, now)}
    </time>
  );
}

export function exactUtc(date: Date): string {
  return `${date.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];
const format = new Intl.RelativeTimeFormat("en", { numeric: "auto", style: "short" });

export function relative(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  if (abs < 10_000) return "just now";
  for (const [unit, ms] of units) {
    if (abs >= ms) return format.format(Math.round(diff / ms), unit);
  }
  return "just now";
}

/** 1.2 s, 350 ms, 2 min 5 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}
