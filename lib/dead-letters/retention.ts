import "server-only";
import { db, deleteInBatches } from "@/lib/db";

/**
 * Deletes dead letters resolved more than `retentionDays` before `now`. Open and retrying letters
 * are never touched, however old: they still need someone.
 *
 * A letter reopened (or retried) while the purge runs must survive: the inner select skips rows
 * another transaction holds, and the outer DELETE repeats the condition, which PostgreSQL
 * re-checks against the row's newest version when it had to wait for a lock (matching on `id`
 * alone would delete the reopened letter).
 */
export async function purgeResolvedDeadLetters(now: Date, retentionDays: number): Promise<{ deleted: number; cutoff: Date }> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const deleted = await deleteInBatches(
    (limit) => db.$executeRaw`
      delete from dead_letter_jobs
      where id in (
        select id from dead_letter_jobs where status = 'RESOLVED' and resolved_at < ${cutoff}
        limit ${limit} for update skip locked)
        and status = 'RESOLVED' and resolved_at < ${cutoff}`,
    { batch: 1_000, maxBatches: 100 },
  );
  return { deleted, cutoff };
}
