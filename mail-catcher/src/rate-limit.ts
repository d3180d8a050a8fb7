// A request rate limit like Resend's: by default 2 requests per second per team, shared by all of
// the team's API keys. Resend documents the `ratelimit-limit`, `ratelimit-remaining`,
// `ratelimit-reset` and `retry-after` headers (https://resend.com/docs/api-reference/rate-limit);
// its responses also carry `ratelimit-policy: 2;w=1`, and the first three plus the policy come on
// every counted response, `retry-after` only on a 429.
//
// The window is fixed: it opens with the first request of a bucket and lasts `windowSeconds`;
// `limit` requests fit in it, later ones get 429 until it closes. The clock is injectable, so tests
// move time instead of sleeping.

export type RateLimitScope = "team" | "key";

export interface RateLimitConfig {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in whole seconds (Resend: 1). */
  windowSeconds: number;
  /** "team" (default, like Resend): one bucket for every API key; "key": one bucket per key. */
  scope: RateLimitScope;
}

/**
 * `2` (per second), `"2/s"`, `"10/2s"`, `"100/m"`, `{ limit, windowSeconds?, scope? }`; 0, "0",
 * "off", null or undefined turn the limit off.
 */
export type RateLimitOption =
  | number
  | string
  | { limit: number; windowSeconds?: number; scope?: RateLimitScope }
  | null
  | undefined;

/** Parses the CLI form: `2/s`, `10/2s`, `100/m`, or `0`/`off`. Throws on anything else. */
export function parseRateLimit(value: string): { limit: number; windowSeconds: number } | null {
  const text = value.trim().toLowerCase();
  if (text === "0" || text === "off") return null;
  const match = /^(\d{1,9})\s*\/\s*(\d{0,6})\s*(s|m)$/.exec(text);
  if (!match) throw new Error(`rate limit must look like 2/s, 10/2s or 100/m (0 or off to disable), got "${value}"`);
  const limit = Number(match[1]);
  const count = match[2] === "" ? 1 : Number(match[2]);
  const windowSeconds = count * (match[3] === "m" ? 60 : 1);
  if (limit === 0) return null;
  if (windowSeconds < 1) throw new Error(`rate limit window must be at least 1 second, got "${value}"`);
  return { limit, windowSeconds };
}

export function resolveRateLimit(option: RateLimitOption, scope?: RateLimitScope): RateLimitConfig | null {
  if (option === null || option === undefined) return null;
  let parsed: { limit: number; windowSeconds?: number; scope?: RateLimitScope } | null;
  if (typeof option === "number") parsed = { limit: option };
  else if (typeof option === "string") parsed = parseRateLimit(option);
  else parsed = option;
  if (parsed === null || parsed.limit === 0) return null;
  const windowSeconds = parsed.windowSeconds ?? 1;
  if (!Number.isInteger(parsed.limit) || parsed.limit < 0) throw new Error(`rate limit must be a non-negative integer, got ${parsed.limit}`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new Error(`rate limit window must be a whole number of seconds ≥ 1, got ${windowSeconds}`);
  const resolvedScope = parsed.scope ?? scope ?? "team";
  if (resolvedScope !== "team" && resolvedScope !== "key") throw new Error(`rate limit scope must be "team" or "key", got "${String(resolvedScope)}"`);
  return { limit: parsed.limit, windowSeconds, scope: resolvedScope };
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until the window closes (at least 1 while it is open). */
  resetSeconds: number;
  windowSeconds: number;
}

const PRUNE_ABOVE = 1000;

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly config: RateLimitConfig,
    private readonly now: () => number,
  ) {}

  /** Counts one request for `apiKey`'s bucket and says whether it fits. */
  take(apiKey: string): RateDecision {
    const { limit, windowSeconds, scope } = this.config;
    const windowMs = windowSeconds * 1000;
    const bucket = scope === "key" ? `key:${apiKey}` : "team";
    const now = this.now();
    let window = this.windows.get(bucket);
    if (!window || now >= window.start + windowMs || now < window.start) {
      if (this.windows.size >= PRUNE_ABOVE) this.prune(now, windowMs);
      window = { start: now, count: 0 };
      this.windows.set(bucket, window);
    }
    window.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    return {
      allowed: window.count <= limit,
      limit,
      remaining: Math.max(0, limit - window.count),
      resetSeconds,
      windowSeconds,
    };
  }

  reset(): void {
    this.windows.clear();
  }

  private prune(now: number, windowMs: number): void {
    for (const [key, w] of this.windows) if (now >= w.start + windowMs) this.windows.delete(key);
  }
}

/** The headers Resend sends with every rate-limited endpoint's answer; `retry-after` only with 429. */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    "ratelimit-limit": String(decision.limit),
    "ratelimit-policy": `${decision.limit};w=${decision.windowSeconds}`,
    "ratelimit-remaining": String(decision.remaining),
    "ratelimit-reset": String(decision.resetSeconds),
  };
  if (!decision.allowed) headers["retry-after"] = String(decision.resetSeconds);
  return headers;
}

/** Resend's 429 message, with the configured numbers. */
export function rateLimitMessage(limit: number, windowSeconds = 1): string {
  const per = windowSeconds === 1 ? "second" : `${windowSeconds} seconds`;
  return `Too many requests. You can only make ${limit} requests per ${per}. See rate limit response headers for more information. Or contact support to increase rate limit.`;
}
