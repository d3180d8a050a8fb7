// Inngest's queue backoff (pkg/backoff TableBackoff): indexed by the attempt that just failed,
// staying at 2 h past the table, plus uniform 0–30 s jitter. Computed here, not in SQL, so tests can
// inject the random source and the time scale.
const TABLE_MS = [15, 30, 60, 120, 300, 600, 1200, 2400, 3600, 7200].map((s) => s * 1000);
const JITTER_MS = 30_000;
const RETRY_AFTER_MIN_MS = 1000;
const RETRY_AFTER_MAX_MS = 24 * 3600 * 1000;

export type Random = () => number;

/** Unscaled delay before the retry that follows failed attempt `attempt` (0-based). */
export function backoffMs(attempt: number, random: Random = Math.random): number {
  const base = TABLE_MS[Math.min(Math.max(attempt, 0), TABLE_MS.length - 1)] ?? 7_200_000;
  return base + Math.floor(random() * JITTER_MS);
}

export function tableMs(attempt: number): number {
  return TABLE_MS[Math.min(Math.max(attempt, 0), TABLE_MS.length - 1)] ?? 7_200_000;
}

/**
 * `retry-after` is seconds or an HTTP/ISO date; Inngest clips it to [1 s, 24 h]. Returns the
 * unscaled delay, or null when the header is absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(ms, RETRY_AFTER_MIN_MS), RETRY_AFTER_MAX_MS);
}
