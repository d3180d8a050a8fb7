import "server-only";
import { db } from "@/lib/db";
import type { MailBacklog } from "@/lib/email/pace";
import type { PendingEmailStatus } from "@/lib/generated/prisma/client";

/** What the "check your inbox" page shows: the same four states for every address. */
export type PendingEmailState = "sending" | "retrying" | "sent" | "failed";

const STATE: Record<PendingEmailStatus, PendingEmailState> = { QUEUED: "sending", RETRYING: "retrying", SENT: "sent", FAILED: "failed" };

export async function getPendingEmailState(attemptId: string): Promise<PendingEmailState | null> {
  const row = await db.signUpAttempt.findUnique({ where: { id: attemptId }, select: { status: true } });
  return row ? STATE[row.status] : null;
}

/** A pending sign-up's email as the "check your inbox" page shows it, or "idle": nothing to follow. */
export type PendingSignUpStatus = PendingEmailState | "idle";

/**
 * What the page renders first and what /api/sign-up/status answers its polls with: one answer, so
 * the page never starts with one state and flips to another. The attempt row is written with the
 * sign-up (same transaction, before the cookie), so a cookie whose row is gone (purged after a day)
 * or that has none has nothing in flight: "idle", not a "sending…" that never ends.
 */
export async function pendingSignUpStatus(pending: { attemptId?: string | null }): Promise<PendingSignUpStatus> {
  if (!pending.attemptId) return "idle";
  return (await getPendingEmailState(pending.attemptId)) ?? "idle";
}

/** Called by the background functions as the email goes out (or turns out not to be needed). Sent is final. */
export async function markAttempt(attemptId: string | undefined, status: PendingEmailStatus): Promise<void> {
  if (!attemptId) return;
  await db.signUpAttempt.updateMany({ where: { id: attemptId, status: { not: "SENT" } }, data: { status } });
}

/**
 * Sign-up emails not out yet (queued or retrying): how many, how many are retrying, and since when
 * the oldest waits — what an operator watches when sign-ups outrun the provider's rate (the mail
 * then waits in the executor's throttle, where the app cannot count it, and nothing is dropped).
 * Rows are purged after a day, so the scan stays small.
 */
export async function signUpMailBacklog(): Promise<MailBacklog> {
  const rows = await db.signUpAttempt.groupBy({
    by: ["status"],
    where: { status: { in: ["QUEUED", "RETRYING"] } },
    _count: { _all: true },
    _min: { createdAt: true },
  });
  const oldest = rows.map((r) => r._min.createdAt).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  return {
    waiting: rows.reduce((n, r) => n + r._count._all, 0),
    retrying: rows.find((r) => r.status === "RETRYING")?._count._all ?? 0,
    oldest,
  };
}
