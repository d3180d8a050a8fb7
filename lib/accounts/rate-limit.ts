import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { RateLimitPolicy } from "@/lib/env";

export type RateLimitResult = { allowed: boolean; remaining: number; resetAt: Date };

/**
 * Counts one attempt against `key` in a fixed window, atomically (one upsert), so concurrent
 * requests cannot both slip under the limit. `now` comes from the caller: one time source.
 */
export async function consume(key: string, limit: number, windowMs: number, now = new Date()): Promise<RateLimitResult> {
  const fresh = new Date(now.getTime() + windowMs);
  const rows = await db.$queryRaw<{ count: number; reset_at: Date }[]>`
    insert into rate_limits (key, count, reset_at) values (${key}, 1, ${fresh})
    on conflict (key) do update set
      count    = case when rate_limits.reset_at <= ${now} then 1 else rate_limits.count + 1 end,
      reset_at = case when rate_limits.reset_at <= ${now} then ${fresh} else rate_limits.reset_at end
    returning count, reset_at`;
  const row = rows[0]!;
  return { allowed: row.count <= limit, remaining: Math.max(0, limit - row.count), resetAt: row.reset_at };
}

export async function reset(key: string): Promise<void> {
  await db.rateLimit.deleteMany({ where: { key } });
}

export type LimitCheck = { key: string; policy: RateLimitPolicy; /** What the person is told when this one is full. */ message: string };

/**
 * Counts one attempt against every check (each its own key and window) and returns the full one
 * that has room again last, with how long until then, or null when none is full. Every check is
 * counted, also after one is found full: a refused attempt still counts everywhere.
 */
export async function consumeAll(checks: LimitCheck[], now = new Date()): Promise<{ check: LimitCheck; retryAfterSeconds: number } | null> {
  let blocked: { check: LimitCheck; retryAfterSeconds: number } | null = null;
  for (const check of checks) {
    const result = await consume(check.key, check.policy.limit, check.policy.windowMs, now);
    if (!result.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil((result.resetAt.getTime() - now.getTime()) / 1000));
      if (!blocked || retryAfterSeconds > blocked.retryAfterSeconds) blocked = { check, retryAfterSeconds };
    }
  }
  return blocked;
}

/** "1 minute", "15 minutes", "2 hours": how long, rounded up, for a person. */
export function waitText(seconds: number): string {
  if (seconds <= 90 * 60) {
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  const hours = Math.ceil(seconds / 3600);
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}

/** 429 with `retry-after` and the check's message, "…Try again in 15 minutes." */
export async function enforceLimits(checks: LimitCheck[], now = new Date()): Promise<void> {
  const blocked = await consumeAll(checks, now);
  if (!blocked) return;
  throw new AppError("rate_limited", `${blocked.check.message} Try again in ${waitText(blocked.retryAfterSeconds)}.`, {
    headers: { "retry-after": String(blocked.retryAfterSeconds) },
  });
}
