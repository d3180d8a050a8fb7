import "server-only";
import { db } from "@/lib/db";

/**
 * Outbox rows not yet handed to the executor: how many, the oldest, and the last relay error.
 * Served by the (sent_at, created_at) index: unsent rows are few when all is well.
 */
export async function outboxBacklog(): Promise<{ unsent: number; oldest: Date | null; lastError: string | null }> {
  const [agg, failing] = await Promise.all([
    db.outboxEvent.aggregate({ where: { sentAt: null }, _count: { _all: true }, _min: { createdAt: true } }),
    db.outboxEvent.findFirst({ where: { sentAt: null, lastError: { not: null } }, orderBy: { createdAt: "desc" }, select: { lastError: true } }),
  ]);
  return { unsent: agg._count._all, oldest: agg._min.createdAt, lastError: failing?.lastError ?? null };
}
