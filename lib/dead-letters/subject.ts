import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";

/** Who (or which job window) a failed run was about, as stored on its dead letter. */
export type Subject = { userId: string | null; email: string | null; name: string | null; label: string | null };

const data = z
  .object({
    userId: z.uuid().optional().catch(undefined),
    week: z.string().max(20).optional().catch(undefined),
    bulkActionId: z.uuid().optional().catch(undefined),
    requestedBy: z.string().max(320).optional().catch(undefined),
  })
  .catch({});

const minute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * Read from the original event when the letter is recorded: a user (id, and their name and email as
 * they are now — a snapshot, so the letter still says who it was about if the account goes), or for
 * work that is about no one person, the job's window. Never throws: a subject is a courtesy.
 */
export async function subjectOf(event: { name: string; data?: unknown; ts?: number }): Promise<Subject> {
  const d = data.parse(event.data ?? {});
  const subject: Subject = { userId: null, email: null, name: null, label: null };
  if (d.userId) {
    subject.userId = d.userId;
    const user = await db.user.findUnique({ where: { id: d.userId }, select: { email: true, name: true } }).catch(() => null);
    if (user) Object.assign(subject, user);
    if (d.week) subject.label = `week ${d.week}`;
    return subject;
  }
  if (d.bulkActionId) {
    subject.label = `bulk action ${d.bulkActionId.slice(0, 8)}`;
    return subject;
  }
  if (typeof event.ts === "number" && event.ts > 0) {
    subject.label = event.name === "inngest/scheduled.timer" ? `run for ${minute(event.ts)}` : `run now at ${minute(event.ts)}${d.requestedBy ? ` by ${d.requestedBy}` : ""}`;
  }
  return subject;
}
