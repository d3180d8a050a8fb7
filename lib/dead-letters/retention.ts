import "server-only";
import { db } from "@/lib/db";

const BATCH = 1_000;
const MAX_BATCHES = 100;

/**
 * Deletes dead letters resolved more than `retentionDays` before `now`. Open and retrying letters
 * are never touched, however old: they still need someone.
 */
export async function purgeResolvedDeadLetters(now: Date, retentionDays: number): Promise<{ deleted: number; cutoff: Date }> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  let deleted = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const count = await db.$executeRaw`
      delete from dead_letter_jobs where id in (
        select id from dead_letter_jobs where status = 'RESOLVED' and resolved_at < ${cutoff} limit ${BATCH})`;
    deleted += count;
    if (count < BATCH) break;
  }
  return { deleted, cutoff };
}
