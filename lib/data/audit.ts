import "server-only";
import { db } from "@/lib/db";

export const AUDIT_PAGE = 50;

export function listAuditFor(targetType: string, targetId: string) {
  return db.auditLog.findMany({ where: { targetType, targetId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 50 });
}

/** Newest first, keyset by (createdAt, id). */
export async function listAudit(cursor?: { at: Date; id: string }) {
  const rows = await db.auditLog.findMany({
    where: cursor ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] } : undefined,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: AUDIT_PAGE + 1,
  });
  const page = rows.slice(0, AUDIT_PAGE);
  const last = page.at(-1);
  return { rows: page, next: rows.length > AUDIT_PAGE && last ? { at: last.createdAt, id: last.id } : null };
}
