import "server-only";
import { db } from "@/lib/db";
import type { PendingEmailStatus } from "@/lib/generated/prisma/client";

/** What the "check your inbox" page shows: the same four states for every address. */
export type PendingEmailState = "sending" | "retrying" | "sent" | "failed";

const STATE: Record<PendingEmailStatus, PendingEmailState> = { QUEUED: "sending", RETRYING: "retrying", SENT: "sent", FAILED: "failed" };

export async function getPendingEmailState(attemptId: string): Promise<PendingEmailState | null> {
  const row = await db.signUpAttempt.findUnique({ where: { id: attemptId }, select: { status: true } });
  return row ? STATE[row.status] : null;
}

/** Called by the background functions as the email goes out (or turns out not to be needed). Sent is final. */
export async function markAttempt(attemptId: string | undefined, status: PendingEmailStatus): Promise<void> {
  if (!attemptId) return;
  await db.signUpAttempt.updateMany({ where: { id: attemptId, status: { not: "SENT" } }, data: { status } });
}
