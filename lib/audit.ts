import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { PublicUser } from "@/lib/data/users";

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
