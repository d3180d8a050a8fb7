import "server-only";
import { bulkActionRequested, currentEventName, isFunction, userAvatarUploaded, userEmailVerified } from "@/inngest/events";
import { queueFailedWelcome, WELCOME_FUNCTION_ID } from "@/lib/accounts/welcome-email";
import { AVATAR_FUNCTION_ID, reprocessFailedAvatar } from "@/lib/avatars/resize";
import { audit } from "@/lib/audit/audit-log";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { enqueue, type OutboxMessage } from "@/lib/outbox/relay";
import type { PublicUser } from "@/lib/accounts/users";
import { storedFilterSchema, type DeadLetterFilter, type StoredFilter } from "@/lib/dead-letters/filters";
import { countDeadLetters, whereOf } from "@/lib/dead-letters/queries";
import { isPermanentError } from "@/lib/dead-letters/schemas";

type Admin = Pick<PublicUser, "id" | "email">;
type Tx = Prisma.TransactionClient;

export const NOTE_MIN = 3;

type Locked = { id: string; status: "OPEN" | "RETRYING" | "RESOLVED"; function_id: string; event_name: string; error_name: string; payload: { name?: string; data?: Record<string, unknown> } };

async function lock(tx: Tx, id: string): Promise<Locked> {
  // Row lock: two admins (or two clicks) acting on one letter are served one after the other.
  const rows = await tx.$queryRaw<Locked[]>`select id, status, function_id, event_name, error_name, payload from dead_letter_jobs where id = ${id}::uuid for update`;
  if (!rows[0]) throw new AppError("not_found", "That dead letter no longer exists.");
  return rows[0];
}

/**
 * What a retry puts back in progress for the person a letter is about, by function: without it
 * their account page kept saying "failed" (and offered "Send again") while the retry ran, and the
 * overview's "Welcome emails" did not count it. A payload that does not parse reopens nothing.
 */
const OWNER_JOBS: Record<string, (tx: Tx, data: unknown) => Promise<unknown>> = {
  [WELCOME_FUNCTION_ID]: async (tx, data) => {
    // As the function's onFailure reads it (both of its events carry the user id).
    const parsed = userEmailVerified.schema.safeParse(data);
    if (parsed.success) await queueFailedWelcome(tx, parsed.data.userId);
  },
  [AVATAR_FUNCTION_ID]: async (tx, data) => {
    const parsed = userAvatarUploaded.schema.safeParse(data);
    if (parsed.success) await reprocessFailedAvatar(tx, parsed.data.userId, parsed.data.uploadId);
  },
};

/**
 * Re-sends the original event (new event id, through the outbox) carrying the letter's id, so the
 * run that succeeds resolves it. Refused for a resolved letter and while a retry is in flight.
 * Returns the outbox id to relay after the response.
 */
export async function retryDeadLetter(id: string, actor: Admin, opts: { tx?: Tx; bulkActionId?: string; confirmedPermanent?: boolean } = {}): Promise<string> {
  const { tx, bulkActionId } = opts;
  const run = async (t: Tx) => {
    const letter = await lock(t, id);
    if (letter.status === "RESOLVED") throw new AppError("conflict", "This dead letter is already resolved. Reopen it first to retry.");
    if (letter.status === "RETRYING") throw new AppError("conflict", "A retry is already running for this dead letter.");
    // One at a time, a permanent failure is retried only once the admin has seen why it may fail
    // again (a bulk action was confirmed on its own page, with its count).
    if (!bulkActionId && isPermanentError(letter.error_name) && !opts.confirmedPermanent) {
      throw new AppError("unprocessable", `This failure was permanent (${letter.error_name}): the same input is expected to fail the same way. Confirm that the cause is fixed to retry.`);
    }
    // Under the name it has today (a run in flight across a rename may have stored the old one),
    // and as the event that reaches the letter's function today.
    const message = { name: currentEventName(letter.payload.name ?? letter.event_name, letter.function_id) as OutboxMessage["name"], data: { ...(letter.payload.data ?? {}), deadLetterId: id } };
    const [eventId] = await enqueue(t, [message as OutboxMessage]);
    const reopen = Object.entries(OWNER_JOBS).find(([fn]) => isFunction(letter.function_id, fn))?.[1];
    await reopen?.(t, letter.payload.data);
    await t.deadLetterJob.update({
      where: { id },
      data: { status: "RETRYING", retryCount: { increment: 1 }, lastRetryEventId: eventId },
    });
    await audit({ actor: { id: actor.id, email: actor.email }, action: "dead_letter.retry", targetType: "dead_letter", targetId: id, details: { eventId: eventId!, ...(bulkActionId ? { bulkActionId } : {}) } }, t);
    return eventId!;
  };
  return tx ? run(tx) : db.$transaction(run);
}

export async function resolveDeadLetter(id: string, actor: Admin, note: string, tx?: Tx, bulkActionId?: string): Promise<void> {
  const run = async (t: Tx) => {
    const letter = await lock(t, id);
    if (letter.status === "RESOLVED") throw new AppError("conflict", "This dead letter is already resolved.");
    await t.deadLetterJob.update({
      where: { id },
      data: { status: "RESOLVED", resolvedAt: new Date(), resolvedBy: actor.email, resolutionNote: note },
    });
    await audit({ actor: { id: actor.id, email: actor.email }, action: "dead_letter.resolve", targetType: "dead_letter", targetId: id, note, details: bulkActionId ? { bulkActionId } : {} }, t);
  };
  return tx ? run(tx) : db.$transaction(run);
}

export async function reopenDeadLetter(id: string, actor: Admin, note: string | undefined): Promise<void> {
  await db.$transaction(async (t) => {
    const letter = await lock(t, id);
    if (letter.status !== "RESOLVED") throw new AppError("conflict", "Only a resolved dead letter can be reopened.");
    await t.deadLetterJob.update({ where: { id }, data: { status: "OPEN", resolvedAt: null, resolvedBy: null, resolutionNote: null } });
    await audit({ actor: { id: actor.id, email: actor.email }, action: "dead_letter.reopen", targetType: "dead_letter", targetId: id, note: note ?? null }, t);
  });
}

/** "Retry/resolve all matching": freezes the filter, records the count, and queues the work. */
export async function startBulkAction(kind: "RETRY" | "RESOLVE", filter: DeadLetterFilter, actor: Admin, note: string | undefined): Promise<{ id: string; outboxIds: string[]; total: number }> {
  const stored: StoredFilter = { ...filter, before: new Date() };
  const total = await countDeadLetters(stored);
  if (total === 0) throw new AppError("unprocessable", "No dead letters match this filter.");
  if (kind === "RESOLVE" && (!note || note.trim().length < NOTE_MIN)) {
    throw new AppError("unprocessable", "Say why these are resolved.", { fieldErrors: { note: ["Say why these are resolved (at least 3 characters)."] } });
  }
  return db.$transaction(async (tx) => {
    const bulk = await tx.bulkAction.create({
      data: { kind, filter: JSON.parse(JSON.stringify(stored)) as Prisma.InputJsonObject, note: note ?? null, total, createdById: actor.id, createdBy: actor.email },
      select: { id: true },
    });
    const outboxIds = await enqueue(tx, [{ name: bulkActionRequested.name, data: { bulkActionId: bulk.id } }]);
    await audit({ actor: { id: actor.id, email: actor.email }, action: `dead_letter.bulk_${kind.toLowerCase()}`, targetType: "bulk_action", targetId: bulk.id, note: note ?? null, details: { total, filter: JSON.parse(JSON.stringify(stored)) as Prisma.InputJsonObject } }, tx);
    return { id: bulk.id, outboxIds, total };
  });
}

export const BULK_BATCH = 100;

/**
 * One batch of a bulk action: the next letters (by id, after `afterId`) that match the frozen
 * filter. Letters that no longer qualify (already resolved, retry in flight) are skipped, not
 * failed. Returns the cursor for the next batch, or null when done.
 */
export async function processBulkBatch(bulkActionId: string, afterId: string | null): Promise<{ nextAfterId: string | null; outboxIds: string[] }> {
  const bulk = await db.bulkAction.findUniqueOrThrow({ where: { id: bulkActionId } });
  const filter = storedFilterSchema.parse(bulk.filter);
  const actor = { id: bulk.createdById, email: bulk.createdBy };
  const letters = await db.deadLetterJob.findMany({
    where: { AND: [whereOf(filter), afterId ? { id: { gt: afterId } } : {}] },
    orderBy: { id: "asc" },
    take: BULK_BATCH,
    select: { id: true },
  });
  const outboxIds: string[] = [];
  let processed = 0;
  let skipped = 0;
  for (const { id } of letters) {
    try {
      if (bulk.kind === "RETRY") outboxIds.push(await retryDeadLetter(id, actor, { bulkActionId: bulk.id }));
      else await resolveDeadLetter(id, actor, bulk.note ?? "Resolved in bulk", undefined, bulk.id);
      processed++;
    } catch (error) {
      if (error instanceof AppError && (error.code === "conflict" || error.code === "not_found")) skipped++;
      else throw error;
    }
  }
  const done = letters.length < BULK_BATCH;
  await db.bulkAction.update({
    where: { id: bulkActionId },
    data: { processed: { increment: processed }, skipped: { increment: skipped }, status: done ? "DONE" : "RUNNING", finishedAt: done ? new Date() : null },
  });
  return { nextAfterId: done ? null : letters.at(-1)!.id, outboxIds };
}

export async function failBulkAction(bulkActionId: string, message: string): Promise<void> {
  await db.bulkAction.updateMany({ where: { id: bulkActionId, status: { in: ["QUEUED", "RUNNING"] } }, data: { status: "FAILED", error: message.slice(0, 1000), finishedAt: new Date() } });
}

export function getBulkAction(id: string) {
  return db.bulkAction.findUnique({ where: { id } });
}
