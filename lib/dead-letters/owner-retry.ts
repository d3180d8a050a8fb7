import "server-only";
import { audit } from "@/lib/audit/audit-log";
import type { Prisma } from "@/lib/generated/prisma/client";

type Tx = Prisma.TransactionClient;
type Person = { id: string; email: string };

/**
 * The person's own newest OPEN dead letter for a function (stored with or without the executor's
 * app prefix), locked for the caller's transaction; null when there is none.
 */
async function lockOpenLetter(tx: Tx, functionId: string, userId: string): Promise<string | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    select id from dead_letter_jobs
    where subject_user_id = ${userId}::uuid and status = 'OPEN'
      and (function_id = ${functionId} or function_id like ${`%-${functionId}`})
    order by last_failed_at desc, id desc
    limit 1
    for update`;
  return rows[0]?.id ?? null;
}

/**
 * The person asked for another try ("Send again"): their open letter for the function is marked
 * retrying, as an admin's retry marks it, and its id is returned for the new event to carry — the
 * run that succeeds resolves it, one that fails again updates it. Audited with the person as actor.
 */
export async function retryOwnLetter(tx: Tx, functionId: string, person: Person): Promise<string | null> {
  const id = await lockOpenLetter(tx, functionId, person.id);
  if (!id) return null;
  await tx.deadLetterJob.update({ where: { id }, data: { status: "RETRYING", retryCount: { increment: 1 } } });
  await audit({ actor: person, action: "dead_letter.owner_retry", targetType: "dead_letter", targetId: id }, tx);
  return id;
}

/** Records the event a retry sent, once it is in the outbox (for the letter's page). */
export async function noteRetryEvent(tx: Tx, deadLetterId: string, eventId: string): Promise<void> {
  await tx.deadLetterJob.update({ where: { id: deadLetterId }, data: { lastRetryEventId: eventId } });
}

/**
 * The person replaced what failed (chose another image): their open letter for the function is
 * resolved, since the input it failed on is gone. Audited with the person as actor.
 */
export async function resolveOwnLetter(tx: Tx, functionId: string, person: Person, note: string): Promise<string | null> {
  const id = await lockOpenLetter(tx, functionId, person.id);
  if (!id) return null;
  await tx.deadLetterJob.update({ where: { id }, data: { status: "RESOLVED", resolvedAt: new Date(), resolvedBy: person.email, resolutionNote: note } });
  await audit({ actor: person, action: "dead_letter.owner_replaced", targetType: "dead_letter", targetId: id, note }, tx);
  return id;
}
