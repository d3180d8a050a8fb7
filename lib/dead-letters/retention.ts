import "server-only";
import { db, deleteInBatches } from "@/lib/db";

/**
 * Deletes dead letters resolved more than `retentionDays` before `now`. Open and retrying letters
 * are never touched, however old: they still need someone.
 */
export async function purgeResolvedDeadLetters(now: Date, retentionDays: number): Promise<{ deleted: number; cutoff: Date }> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const deleted = await deleteInBatches(
    (limit) => db.$executeRaw`
      delete from dead_letter_jobs where id in (
        select id from dead_letter_jobs where status = 'RESOLVED' and resolved_at < ${cutoff} limit ${limit})`,
    { batch: 1_000, maxBatches: 100 },
  );
  return { deleted, cutoff };
}
