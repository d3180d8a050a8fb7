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

/** Deletes rate-limit windows that have ended (lib/accounts/rate-limit.ts starts a fresh one anyway). */
export function purgeExpiredRateLimits(now: Date): Promise<number> {
  return deleteInBatches(
    (limit) => db.$executeRaw`delete from rate_limits where key in (select key from rate_limits where reset_at <= ${now} limit ${limit})`,
    BATCHES,
  );
}

/** Sign-up attempts (they hold the address typed) and verification links, kept this long. */
export const SIGN_UP_RECORD_DAYS = 7;

/**
 * Deletes sign-up attempts older than SIGN_UP_RECORD_DAYS and verification links that expired or
 * were used that long ago (the "check your inbox" page follows an attempt for an hour; a link
 * lives VERIFICATION_LINK_TTL_HOURS). Unverified accounts go with their own verification run.
 */
export async function purgeOldSignUpRecords(now: Date): Promise<number> {
  const before = new Date(now.getTime() - SIGN_UP_RECORD_DAYS * 86_400_000);
  const attempts = await deleteInBatches(
    (limit) => db.$executeRaw`delete from sign_up_attempts where id in (select id from sign_up_attempts where created_at <= ${before} limit ${limit})`,
    BATCHES,
  );
  const links = await deleteInBatches(
    (limit) => db.$executeRaw`delete from email_verifications where id in (select id from email_verifications where coalesce(used_at, expires_at) <= ${before} limit ${limit})`,
    BATCHES,
  );
  return attempts + links;
}

export type PurgeExpiredResult = { sessions: number; rateLimits: number; signUpRecords: number; runRecords: number };

export async function purgeExpired(now: Date): Promise<PurgeExpiredResult> {
  const sessions = await purgeExpiredSessions(now);
  const rateLimits = await purgeExpiredRateLimits(now);
  const signUpRecords = await purgeOldSignUpRecords(now);
  const runRecords = await purgeOldScheduledRuns(now);
  return { sessions, rateLimits, signUpRecords, runRecords };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function describePurge(result: PurgeExpiredResult): string {
  return `Purged ${plural(result.sessions, "expired session")}, ${plural(result.rateLimits, "rate-limit window")}, ${plural(result.signUpRecords, "old sign-up record")} and ${plural(result.runRecords, "old run record")}.`;
}
