import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { DeadLetterFilter } from "@/lib/dead-letters/filters";

export const PAGE_SIZE = 50;

const listFields = {
  id: true,
  functionId: true,
  functionName: true,
  eventName: true,
  errorName: true,
  errorMessage: true,
  attempts: true,
  status: true,
  lastFailedAt: true,
  resolvedBy: true,
  resolutionNote: true,
  retryCount: true,
} as const;

export type DeadLetterRow = Prisma.DeadLetterJobGetPayload<{ select: typeof listFields }>;

export function whereOf(filter: DeadLetterFilter & { before?: Date }): Prisma.DeadLetterJobWhereInput {
  const where: Prisma.DeadLetterJobWhereInput = {};
  if (filter.ids) where.id = { in: filter.ids };
  if (filter.status) where.status = filter.status;
  if (filter.functionId) where.functionId = filter.functionId;
  if (filter.q) {
    where.OR = [
      { errorMessage: { contains: filter.q, mode: "insensitive" } },
      { errorName: { contains: filter.q, mode: "insensitive" } },
    ];
  }
  const lastFailedAt: Prisma.DateTimeFilter = {};
  if (filter.from) lastFailedAt.gte = filter.from;
  if (filter.to) lastFailedAt.lte = filter.to;
  if (filter.before) where.createdAt = { lte: filter.before };
  if (Object.keys(lastFailedAt).length) where.lastFailedAt = lastFailedAt;
  return where;
}

/** Keyset cursor: the (lastFailedAt, id) of the last row shown, opaque to the browser. */
export function encodeCursor(row: { lastFailedAt: Date; id: string }): string {
  return Buffer.from(`${row.lastFailedAt.toISOString()}|${row.id}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): { at: Date; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const date = new Date(at ?? "");
  if (!id || Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) return null;
  return { at: date, id };
}

/**
 * One page, newest failure first. Keyset pagination (no OFFSET) keeps every page as fast as the
 * first at 100k rows: the (last_failed_at, id) indexes serve both the order and the cursor.
 */
export async function listDeadLetters(filter: DeadLetterFilter, cursor: string | undefined) {
  const after = decodeCursor(cursor);
  const where = whereOf(filter);
  if (after) {
    where.AND = [{ OR: [{ lastFailedAt: { lt: after.at } }, { lastFailedAt: after.at, id: { lt: after.id } }] }];
  }
  const rows = await db.deadLetterJob.findMany({
    where,
    orderBy: [{ lastFailedAt: "desc" }, { id: "desc" }],
    take: PAGE_SIZE + 1,
    select: listFields,
  });
  const page = rows.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > PAGE_SIZE && last ? encodeCursor(last) : null };
}

export function countDeadLetters(filter: DeadLetterFilter & { before?: Date }) {
  return db.deadLetterJob.count({ where: whereOf(filter) });
}

export function getDeadLetter(id: string) {
  return db.deadLetterJob.findUnique({ where: { id } });
}

export async function deadLetterOverview(days = 14, now = new Date()) {
  const since = new Date(now.getTime() - days * 86_400_000);
  const [byStatus, byFunction, perDay] = await Promise.all([
    db.deadLetterJob.groupBy({ by: ["status"], _count: { _all: true } }),
    db.deadLetterJob.groupBy({ by: ["functionId", "functionName", "status"], _count: { _all: true } }),
    db.$queryRaw<{ day: Date; failures: number }[]>`
      select date_trunc('day', last_failed_at) as day, count(*)::int as failures
      from dead_letter_jobs where last_failed_at >= ${since}
      group by 1 order by 1`,
  ]);
  const status = { OPEN: 0, RETRYING: 0, RESOLVED: 0 };
  for (const row of byStatus) status[row.status] = row._count._all;

  const functions = new Map<string, { functionId: string; functionName: string; open: number; total: number }>();
  for (const row of byFunction) {
    const entry = functions.get(row.functionId) ?? { functionId: row.functionId, functionName: row.functionName, open: 0, total: 0 };
    entry.total += row._count._all;
    if (row.status !== "RESOLVED") entry.open += row._count._all;
    functions.set(row.functionId, entry);
  }

  const series: { day: string; failures: number }[] = [];
  const counts = new Map(perDay.map((r) => [r.day.toISOString().slice(0, 10), r.failures]));
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    series.push({ day, failures: counts.get(day) ?? 0 });
  }
  return { status, functions: [...functions.values()].sort((a, b) => b.total - a.total), series };
}

/**
 * The functions that have dead letters, for the filter menu. A loose index scan (one index probe
 * per distinct function) instead of DISTINCT over every row, which costs ~100 ms at 100k rows.
 */
export function listFunctionIds() {
  return db.$queryRaw<{ functionId: string; functionName: string }[]>`
    with recursive f as (
      (select function_id from dead_letter_jobs order by function_id limit 1)
      union all
      select (select d.function_id from dead_letter_jobs d where d.function_id > f.function_id order by d.function_id limit 1)
      from f where f.function_id is not null
    )
    select f.function_id as "functionId",
           (select d.function_name from dead_letter_jobs d where d.function_id = f.function_id limit 1) as "functionName"
    from f where f.function_id is not null`;
}
