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

/** A duration only ("10m", "1h30m", "1w", "500ms"; a bare number is milliseconds), or null. */
export function parseDurationMs(spec: string): number | null {
  const s = spec.trim();
  if (!/^\d+(\.\d+)?(ms|w|d|h|m|s)?(\d+(\.\d+)?(ms|w|d|h|m|s))*$/.test(s) || !s) return null;
  return sleepDelayMs(s, 0);
}

/**
 * A timeout as the SDK sends it (notes §0.2): a duration, an ISO date (absolute deadline), or ""
 * for "now". Returns milliseconds from `now` (≥ 0), or null when unreadable.
 */
export function timeoutMs(spec: string, now: number): number | null {
  if (spec.trim() === "") return 0;
  return sleepDelayMs(spec, now);
}
