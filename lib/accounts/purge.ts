import "server-only";
import { db, deleteInBatches } from "@/lib/db";
import { purgeOldScheduledRuns } from "@/lib/schedules/runs";

const BATCHES = { batch: 5_000, maxBatches: 200 };

/** Deletes sessions that expired at or before `now` (a session is unusable from its expiry). */
export function purgeExpiredSessions(now: Date): Promise<number> {
  return deleteInBatches(
    (limit) => db.$executeRaw`delete from sessions where id in (select id from sessions where expires_at <= ${now} limit ${limit})`,
    BATCHES,
  );
}

/** Deletes login rate-limit windows that have ended (lib/accounts/rate-limit.ts starts a fresh one anyway). */
export function purgeExpiredRateLimits(now: Date): Promise<number> {
  return deleteInBatches(
    (limit) => db.$executeRaw`delete from rate_limits where key in (select key from rate_limits where reset_at <= ${now} limit ${limit})`,
    BATCHES,
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
