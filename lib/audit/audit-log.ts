import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { PublicUser } from "@/lib/accounts/users";

export type AuditEntry = {
  actor: Pick<PublicUser, "id" | "email"> | "system";
  action: string;
  targetType: string;
  targetId?: string | null;
  note?: string | null;
  details?: Prisma.InputJsonObject;
};

type Client = Pick<typeof db, "auditLog">;

/** Records an admin (or system) action. Pass a transaction client to commit it with the change. */
export async function audit(entry: AuditEntry, client: Client = db): Promise<void> {
  await client.auditLog.create({
    data: {
      actorId: entry.actor === "system" ? null : entry.actor.id,
      actorEmail: entry.actor === "system" ? "system" : entry.actor.email,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      note: entry.note ?? null,
      details: entry.details ?? {},
    },
  });
}

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
