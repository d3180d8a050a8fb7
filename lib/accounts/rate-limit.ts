import "server-only";
import { db } from "@/lib/db";

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
