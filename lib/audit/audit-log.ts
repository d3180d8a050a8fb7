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

export type AuditFilter = { actor?: string; action?: string; from?: Date; to?: Date };

/** Newest first, keyset by (createdAt, id); by actor, action and time when asked. */
export async function listAudit(filter: AuditFilter = {}, cursor?: { at: Date; id: string }) {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (filter.actor) and.push({ actorEmail: filter.actor });
  if (filter.action) and.push({ action: filter.action });
  if (filter.from) and.push({ createdAt: { gte: filter.from } });
  if (filter.to) and.push({ createdAt: { lte: filter.to } });
  if (cursor) and.push({ OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] });
  const rows = await db.auditLog.findMany({
    where: and.length ? { AND: and } : undefined,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: AUDIT_PAGE + 1,
  });
  const page = rows.slice(0, AUDIT_PAGE);
  const last = page.at(-1);
  return { rows: page, next: rows.length > AUDIT_PAGE && last ? { at: last.createdAt, id: last.id } : null };
}

/** Who has acted (for the filter menu): one probe per distinct actor through the actor index. */
export function listAuditActors() {
  return db.$queryRaw<{ actorEmail: string }[]>`
    with recursive a as (
      (select actor_email from audit_logs order by actor_email limit 1)
      union all
      select (select l.actor_email from audit_logs l where l.actor_email > a.actor_email order by l.actor_email limit 1)
      from a where a.actor_email is not null
    )
    select actor_email as "actorEmail" from a where actor_email is not null limit 200`;
}
