import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { countableByCounters, STATUSES, type DeadLetterFilter, type DeadLetterStatusName } from "@/lib/dead-letters/filters";

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
  subjectUserId: true,
  subjectEmail: true,
  subjectName: true,
  subjectLabel: true,
  groupKey: true,
} as const;

export type DeadLetterRow = Prisma.DeadLetterJobGetPayload<{ select: typeof listFields }>;

export function whereOf(filter: DeadLetterFilter & { before?: Date }): Prisma.DeadLetterJobWhereInput {
  const where: Prisma.DeadLetterJobWhereInput = {};
  if (filter.ids) where.id = { in: filter.ids };
  if (filter.status) where.status = filter.status;
  if (filter.functionId) where.functionId = filter.functionId;
  if (filter.userId) where.subjectUserId = filter.userId;
  if (filter.group) where.groupKey = filter.group;
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

/**
 * How many letters match. Status, function and error group alone are answered exactly from the
 * maintained counters (dead_letter_groups); any other filter counts the rows.
 */
export async function countDeadLetters(filter: DeadLetterFilter & { before?: Date }): Promise<number> {
  if (countableByCounters(filter)) {
    const counts = await counterCounts(filter);
    return filter.status ? counts[filter.status] : counts.OPEN + counts.RETRYING + counts.RESOLVED;
  }
  return db.deadLetterJob.count({ where: whereOf(filter) });
}

/**
 * For a page that shows a count before acting (the bulk confirmation): exact from the counters
 * when they can answer; for error text found in the fixed part of some groups' messages, those
 * groups' counts (`approximate`: a letter of another group whose variable part holds the text is
 * not in it; the action itself counts rows when confirmed); otherwise counted.
 */
export async function countForConfirmation(filter: DeadLetterFilter): Promise<{ count: number; approximate: boolean }> {
  const groups = await groupCounts({ ...filter, status: undefined });
  if (groups) return { count: filter.status ? groups[filter.status] : groups.OPEN + groups.RETRYING + groups.RESOLVED, approximate: true };
  return { count: await countDeadLetters(filter), approximate: false };
}

type StatusCounts = Record<DeadLetterStatusName, number>;

async function counterCounts(filter: Pick<DeadLetterFilter, "functionId" | "group">): Promise<StatusCounts> {
  const { _sum } = await db.deadLetterGroup.aggregate({
    where: { ...(filter.functionId ? { functionId: filter.functionId } : {}), ...(filter.group ? { groupKey: filter.group } : {}) },
    _sum: { openCount: true, retryingCount: true, resolvedCount: true },
  });
  return { OPEN: _sum.openCount ?? 0, RETRYING: _sum.retryingCount ?? 0, RESOLVED: _sum.resolvedCount ?? 0 };
}

/**
 * For error text (with only a function or group besides): the counters of the error groups whose
 * fixed text or error name contains it — every letter in such a group does. Null when the other
 * filters need rows, or no group matches.
 */
async function groupCounts(filter: DeadLetterFilter): Promise<StatusCounts | null> {
  if (!filter.q || !countableByCounters({ ...filter, q: undefined })) return null;
  const text = { contains: filter.q, mode: "insensitive" as const };
  const { _sum, _count } = await db.deadLetterGroup.aggregate({
    where: {
      ...(filter.functionId ? { functionId: filter.functionId } : {}),
      ...(filter.group ? { groupKey: filter.group } : {}),
      OR: [{ errorPattern: text }, { errorName: text }],
    },
    _sum: { openCount: true, retryingCount: true, resolvedCount: true },
    _count: { _all: true },
  });
  if (_count._all === 0) return null;
  return { OPEN: _sum.openCount ?? 0, RETRYING: _sum.retryingCount ?? 0, RESOLVED: _sum.resolvedCount ?? 0 };
}

/** Past this many, a tab's count (for filters the counters cannot answer) says "10,000+". */
export const COUNT_CAP = 10_000;
/** A tab count that would take longer than this is shown as "many" rather than hold the page. */
const COUNT_BUDGET_MS = 250;

export type TabCounts = {
  /** null: too many to count within the budget. */
  counts: Record<DeadLetterStatusName, number | null>;
  total: number | null;
  capped: boolean;
  /** counters: exact, from dead_letter_groups; groups: the error groups whose text matches; rows: counted. */
  source: "counters" | "groups" | "rows";
};

const sum = (values: (number | null)[]) => (values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0));

/**
 * The count on each status tab for the other filters in force, and the total.
 * - status, function, group only: the counters (exact, a few rows read);
 * - error text, when it is in the fixed part of some groups' messages (or their error name): those
 *   groups' counters — every letter in such a group contains the text;
 * - otherwise each status counts rows, capped at COUNT_CAP and given COUNT_BUDGET_MS.
 */
export async function tabCounts(filter: DeadLetterFilter): Promise<TabCounts> {
  const rest: DeadLetterFilter = { ...filter, status: undefined };
  if (countableByCounters(rest)) {
    const counts = await counterCounts(rest);
    return { counts, total: counts.OPEN + counts.RETRYING + counts.RESOLVED, capped: false, source: "counters" };
  }
  const groups = await groupCounts(rest);
  if (groups) return { counts: groups, total: groups.OPEN + groups.RETRYING + groups.RESOLVED, capped: false, source: "groups" };
  const values = await Promise.all(STATUSES.map((status) => boundedCount(whereOf({ ...rest, status }))));
  const capped = values.some((n) => n !== null && n > COUNT_CAP);
  const counts = Object.fromEntries(STATUSES.map((status, i) => [status, values[i] === null ? null : Math.min(values[i]!, COUNT_CAP)])) as TabCounts["counts"];
  return { counts, total: sum(Object.values(counts)), capped, source: "rows" };
}

async function boundedCount(where: Prisma.DeadLetterJobWhereInput): Promise<number | null> {
  try {
    return await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`set local statement_timeout = ${COUNT_BUDGET_MS}`);
      return tx.deadLetterJob.count({ where, take: COUNT_CAP + 1 });
    });
  } catch (error) {
    if (/statement timeout/i.test(String(error instanceof Error ? error.message : error))) return null;
    throw error;
  }
}

export function getDeadLetter(id: string) {
  return db.deadLetterJob.findUnique({ where: { id } });
}

export type ErrorGroupRow = {
  groupKey: string;
  functionId: string;
  functionName: string;
  errorName: string;
  errorPattern: string;
  sampleMessage: string;
  /** Letters in the group matching the filter (its status tab). */
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  /** Distinct users with a letter in the group, any status. */
  usersCount: number;
};

export const GROUPS_PAGE = 50;

/**
 * Error groups, largest first. Status, function and group filters read the counters; other filters
 * (text, time, user) aggregate the matching rows, then name the groups from the counters.
 */
export async function listErrorGroups(filter: DeadLetterFilter): Promise<ErrorGroupRow[]> {
  if (countableByCounters(filter)) {
    const column = filter.status ? { OPEN: "openCount", RETRYING: "retryingCount", RESOLVED: "resolvedCount" }[filter.status] : null;
    const groups = await db.deadLetterGroup.findMany({
      where: {
        ...(filter.functionId ? { functionId: filter.functionId } : {}),
        ...(filter.group ? { groupKey: filter.group } : {}),
        ...(column ? { [column]: { gt: 0 } } : { OR: [{ openCount: { gt: 0 } }, { retryingCount: { gt: 0 } }, { resolvedCount: { gt: 0 } }] }),
      },
      take: 1000,
    });
    return groups
      .map((g) => ({
        ...g,
        count: filter.status ? { OPEN: g.openCount, RETRYING: g.retryingCount, RESOLVED: g.resolvedCount }[filter.status] : g.openCount + g.retryingCount + g.resolvedCount,
      }))
      .sort((a, b) => b.count - a.count || b.lastSeen.getTime() - a.lastSeen.getTime())
      .slice(0, GROUPS_PAGE);
  }
  const live = await db.deadLetterJob.groupBy({
    by: ["groupKey"],
    where: whereOf(filter),
    _count: { _all: true },
    _min: { firstFailedAt: true },
    _max: { lastFailedAt: true },
    orderBy: { _count: { groupKey: "desc" } },
    take: GROUPS_PAGE,
  });
  const named = new Map((await db.deadLetterGroup.findMany({ where: { groupKey: { in: live.map((g) => g.groupKey) } } })).map((g) => [g.groupKey, g]));
  return live.flatMap((g) => {
    const group = named.get(g.groupKey);
    if (!group) return [];
    return [{ ...group, count: g._count._all, firstSeen: g._min.firstFailedAt ?? group.firstSeen, lastSeen: g._max.lastFailedAt ?? group.lastSeen }];
  });
}

export function getErrorGroup(groupKey: string) {
  return db.deadLetterGroup.findUnique({ where: { groupKey } });
}

/**
 * Counts by status, per function, and failures per day: all from the counters (a few dozen rows
 * however many letters there are).
 */
export async function deadLetterOverview(days = 14, now = new Date()) {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * 86_400_000);
  const [groups, perDay] = await Promise.all([
    db.deadLetterGroup.findMany({ select: { functionId: true, functionName: true, openCount: true, retryingCount: true, resolvedCount: true } }),
    db.deadLetterDaily.findMany({ where: { day: { gte: since } }, orderBy: { day: "asc" } }),
  ]);
  const status = { OPEN: 0, RETRYING: 0, RESOLVED: 0 };
  const functions = new Map<string, { functionId: string; functionName: string; open: number; total: number }>();
  for (const g of groups) {
    status.OPEN += g.openCount;
    status.RETRYING += g.retryingCount;
    status.RESOLVED += g.resolvedCount;
    const entry = functions.get(g.functionId) ?? { functionId: g.functionId, functionName: g.functionName, open: 0, total: 0 };
    entry.open += g.openCount + g.retryingCount;
    entry.total += g.openCount + g.retryingCount + g.resolvedCount;
    functions.set(g.functionId, entry);
  }

  const series: { day: string; failures: number }[] = [];
  const counts = new Map(perDay.map((r) => [r.day.toISOString().slice(0, 10), r.failures]));
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    series.push({ day, failures: counts.get(day) ?? 0 });
  }
  return { status, functions: [...functions.values()].filter((f) => f.total > 0).sort((a, b) => b.total - a.total), series };
}

/** Open letters about one user, per function (the users page links each to the list). */
export async function openDeadLettersForUser(userId: string) {
  const rows = await db.deadLetterJob.groupBy({ by: ["functionId", "status"], where: { subjectUserId: userId }, _count: { _all: true } });
  const out = new Map<string, { open: number; total: number }>();
  for (const r of rows) {
    const entry = out.get(r.functionId) ?? { open: 0, total: 0 };
    entry.total += r._count._all;
    if (r.status !== "RESOLVED") entry.open += r._count._all;
    out.set(r.functionId, entry);
  }
  return out;
}

/** Current status of a few letters (the live view watches the ones in flight). */
export function statusOf(ids: string[]) {
  return db.deadLetterJob.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, updatedAt: true } });
}

/** The functions that have dead letters, for the filter menu (from the counters: a few rows). */
export async function listFunctionIds(): Promise<{ functionId: string; functionName: string }[]> {
  const rows = await db.deadLetterGroup.findMany({ distinct: ["functionId"], select: { functionId: true, functionName: true }, orderBy: { functionId: "asc" } });
  return rows;
}
