import "server-only";
import { db } from "@/lib/db";
import { inngest } from "@/inngest/client";
import { logger } from "@/lib/logger";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { OutboxEventName } from "@/inngest/events";

export type OutboxMessage = { name: OutboxEventName; data: Prisma.InputJsonObject };

/** Adds events to the outbox inside the caller's transaction: they exist iff the change commits. */
export async function enqueue(tx: Prisma.TransactionClient, messages: OutboxMessage[]): Promise<string[]> {
  const rows = await tx.outboxEvent.createManyAndReturn({ data: messages, select: { id: true } });
  return rows.map((row) => row.id);
}

type RelayOptions = { ids?: string[]; olderThanMs?: number; limit?: number; now?: Date };

/**
 * How long a relay may take to send a claimed batch before another relay may try it. Short on
 * purpose: a relay killed after its claim (an app crash) holds its rows for this long, and sending
 * a row twice is harmless (its id is the event id, which the executor deduplicates), whereas a long
 * claim delays that person's mail by the claim plus the next minute's sweep. The SDK's own retries
 * of a failed send take under 2 s.
 */
export const RELAY_CLAIM_MS = 15_000;

/**
 * A backlog is relayed in batches of this many, at most this many batches a pass (the sweep's run,
 * a catch-up): a huge backlog is drained over several passes rather than in one long one.
 */
export const RELAY_BATCH = { size: 100, perPass: 10 } as const;

/**
 * Set when this process could not reach the executor: its next successful send then also relays
 * what was left unsent meanwhile (by any process), instead of leaving those people to the next
 * minute's sweep. A hint, not a guarantee — the sweep still covers every process.
 */
let catchUpPending = false;

/**
 * Sends unsent outbox rows to the executor, the row id as the event id so a row sent twice (after
 * a crash between send and mark) starts its functions once. Rows are claimed for a while in one
 * short statement — no transaction or connection is held during the HTTP call, so an executor
 * outage cannot starve sign-ups of database connections — and marked sent afterwards.
 * Never throws: a failure is recorded on the rows and the sweeper tries again later.
 */
export async function relayOutbox({ ids, olderThanMs = 0, limit = 100, now = new Date() }: RelayOptions = {}): Promise<{ sent: number; failed: number }> {
  const before = new Date(now.getTime() - olderThanMs);
  const claimedUntil = new Date(now.getTime() + RELAY_CLAIM_MS);
  let rows: { id: string; name: string; data: Record<string, unknown> }[];
  try {
    rows = await db.$queryRaw`
      update outbox_events set claimed_until = ${claimedUntil}
      where id in (
        select id from outbox_events
        where sent_at is null
          -- A row whose relay already failed is not waiting for that relay any more, however young.
          and (created_at <= ${before} or attempts > 0)
          and (claimed_until is null or claimed_until < ${now})
          and (${ids ?? null}::uuid[] is null or id = any(${ids ?? null}::uuid[]))
        order by created_at
        limit ${limit}
        for update skip locked)
      returning id, name, data`;
  } catch (error) {
    logger.warn("outbox relay could not claim rows", error);
    return { sent: 0, failed: ids?.length ?? 0 };
  }
  if (rows.length === 0) return { sent: 0, failed: 0 };
  const rowIds = rows.map((row) => row.id);

  try {
    await inngest.send(rows.map((row) => ({ id: row.id, name: row.name, data: row.data })));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    catchUpPending = true;
    logger.warn("outbox relay could not reach the executor; the sweeper will retry", { rows: rowIds.length, error });
    await db.outboxEvent
      .updateMany({ where: { id: { in: rowIds } }, data: { attempts: { increment: 1 }, lastError: message.slice(0, 1000), claimedUntil: null } })
      .catch((e: unknown) => logger.warn("outbox relay could not record the failure", e));
    return { sent: 0, failed: rows.length };
  }
  try {
    await db.outboxEvent.updateMany({
      where: { id: { in: rowIds } },
      data: { sentAt: new Date(), attempts: { increment: 1 }, lastError: null, claimedUntil: null },
    });
  } catch (error) {
    // Sent but not marked (the database went away in between): the sweeper sends the rows again
    // once their claim ends, under the same event ids, so their functions still start once.
    logger.warn("outbox relay sent rows but could not mark them sent; the sweeper will resend them (same ids)", { rows: rowIds.length, error });
  }
  if (ids && catchUpPending) await catchUp();
  return { sent: rows.length, failed: 0 };
}

/** After an outage: relays the backlog in batches, bounded like the sweep (the rest is its job). */
async function catchUp() {
  catchUpPending = false;
  let total = 0;
  for (let batch = 0; batch < RELAY_BATCH.perPass; batch++) {
    const { sent, failed } = await relayOutbox({ limit: RELAY_BATCH.size });
    total += sent;
    if (failed || sent < RELAY_BATCH.size) break;
  }
  if (total) logger.info("outbox relay caught up after an outage", { sent: total });
}

export function countUnsent(): Promise<number> {
  return db.outboxEvent.count({ where: { sentAt: null } });
}
