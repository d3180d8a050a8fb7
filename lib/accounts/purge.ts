import "server-only";
import { db } from "@/lib/db";
import { purgeOldScheduledRuns } from "@/lib/schedules/runs";

/** Small batches keep each delete's locks short on a big table; the loop is bounded per run. */
const BATCH = 5_000;
const MAX_BATCHES = 200;

/** Runs one batched delete until it deletes less than a full batch; returns the total. */
async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const count = await deleteBatch();
    total += count;
    if (count < BATCH) break;
  }
  return total;
}

/** Deletes sessions that expired at or before `now` (a session is unusable from its expiry). */
export function purgeExpiredSessions(now: Date): Promise<number> {
  return inBatches(
    () => db.$executeRaw`delete from sessions where id in (select id from sessions where expires_at <= ${now} limit ${BATCH})`,
  );
}

/** Deletes login rate-limit windows that have ended (lib/accounts/rate-limit.ts starts a fresh one anyway). */
export function purgeExpiredRateLimits(now: Date): Promise<number> {
  return inBatches(
    () => db.$executeRaw`delete from rate_limits where key in (select key from rate_limits where reset_at <= ${now} limit ${BATCH})`,
  );
}

export type PurgeExpiredResult = { sessions: number; rateLimits: number; runRecords: number };

export async function purgeExpired(now: Date): Promise<PurgeExpiredResult> {
  const sessions = await purgeExpiredSessions(now);
  const rateLimits = await purgeExpiredRateLimits(now);
  const runRecords = await purgeOldScheduledRuns(now);
  return { sessions, rateLimits, runRecords };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function describePurge(result: PurgeExpiredResult): string {
  return `Purged ${plural(result.sessions, "expired session")}, ${plural(result.rateLimits, "rate-limit window")} and ${plural(result.runRecords, "old run record")}.`;
}
