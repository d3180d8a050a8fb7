// Sleep durations arrive in the op's `name`: the SDK's time strings ("30s", "1d2h30m10s", "500ms"
// rounds up to "1s" on the SDK side) or an ISO date for sleepUntil.
const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Returns milliseconds from `now` until the sleep ends, or null when unreadable. */
export function sleepDelayMs(spec: string, now: number): number | null {
  const s = spec.trim();
  if (/^(\d+(\.\d+)?(ms|w|d|h|m|s))+$/.test(s)) {
    let total = 0;
    for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/g)) {
      total += Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 0);
    }
    return total;
  }
  if (/^\d+$/.test(s)) return Number(s);
  const at = Date.parse(s);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
