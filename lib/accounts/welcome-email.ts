import "server-only";
import { createElement } from "react";
import { db } from "@/lib/db";
import type { MailBacklog } from "@/lib/email/pace";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { userWelcomeEmailRequested } from "@/inngest/events";
import { noteRetryEvent, retryOwnLetter } from "@/lib/dead-letters/owner-retry";
import { enqueue } from "@/lib/outbox/relay";
import { recordDelivery } from "@/lib/email/delivery-marker";
import { sendEmail } from "@/lib/email/mailer";
import { renderEmailHtml } from "@/lib/email/render";
import { WELCOME_SUBJECT, WelcomeEmail, welcomeEmailText } from "@/lib/email/welcome-template";

export const WELCOME_KIND = "welcome";

/** Same key for every attempt and every run for this user: the provider sends it once. */
export const welcomeIdempotencyKey = (userId: string) => `welcome-email/${userId}`;

export type WelcomeRecipient = { status: "pending"; email: string; name: string } | { status: "done"; reason: string };

/** The completion marker decides: an email already recorded is never sent again. */
export async function loadWelcomeRecipient(userId: string): Promise<WelcomeRecipient> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { email: true, name: true, emailVerifiedAt: true, deliveries: { where: { kind: WELCOME_KIND }, select: { providerId: true } } },
  });
  if (!user) return { status: "done", reason: "user no longer exists" };
  // No mail but the verification link reaches an address before its owner proved it is theirs.
  if (!user.emailVerifiedAt) return { status: "done", reason: "email not verified" };
  if (user.deliveries.length) return { status: "done", reason: `already sent (${user.deliveries[0]!.providerId})` };
  return { status: "pending", email: user.email, name: user.name };
}

export async function sendWelcomeEmail(userId: string, recipient: { email: string; name: string }): Promise<{ providerId: string }> {
  const props = { name: recipient.name, appUrl: env.APP_URL };
  return sendEmail({
    to: recipient.email,
    subject: WELCOME_SUBJECT,
    html: await renderEmailHtml(createElement(WelcomeEmail, props)),
    text: welcomeEmailText(props),
    idempotencyKey: welcomeIdempotencyKey(userId),
  });
}

/** Marker and status in one transaction; a second record of the same delivery is a no-op. */
export async function recordWelcomeDelivery(userId: string, providerId: string): Promise<void> {
  await recordDelivery({ userId, kind: WELCOME_KIND, providerId }, db.user.update({ where: { id: userId }, data: { welcomeEmailStatus: "SENT" } }));
}

export async function markWelcomeEmailFailed(userId: string): Promise<void> {
  await db.user.updateMany({ where: { id: userId, welcomeEmailStatus: "QUEUED" }, data: { welcomeEmailStatus: "FAILED" } });
}

/**
 * Welcome emails asked for and not sent yet (the admin overview): how many, how many are retrying,
 * the oldest request. Accounts not verified yet have no request. The (status, requested_at) index
 * serves it: queued welcome emails are few when all is well.
 */
export async function welcomeMailBacklog(): Promise<MailBacklog> {
  const where = { welcomeEmailStatus: "QUEUED" as const, welcomeRequestedAt: { not: null } };
  const [all, retrying] = await Promise.all([
    db.user.aggregate({ where, _count: { _all: true }, _min: { welcomeRequestedAt: true } }),
    db.user.count({ where: { ...where, welcomeEmailFailedAttempts: { gt: 0 } } }),
  ]);
  return { waiting: all._count._all, retrying, oldest: all._min.welcomeRequestedAt };
}

/** The function the welcome email runs in (its dead letters carry this id, maybe app-prefixed). */
export const WELCOME_FUNCTION_ID = "user.welcome-email";

/**
 * "Send again" on the account page, for a welcome email that failed for good: in one transaction
 * the status goes back to queued (its attempt count from zero), the person's open dead letter for
 * it is marked retrying, and `user/welcome-email.requested` — carrying that letter's id, so the run
 * that succeeds resolves it — is written to the outbox. Refused unless it has failed: nobody can
 * use it to mail themselves again and again (and the action is rate-limited per account on top).
 */
export async function requestWelcomeEmailAgain(person: { id: string; email: string }): Promise<string[]> {
  return db.$transaction(async (tx) => {
    const count = await queueFailedWelcome(tx, person.id);
    if (count === 0) throw new AppError("conflict", "Your welcome email is already sent or on its way.");
    const deadLetterId = await retryOwnLetter(tx, WELCOME_FUNCTION_ID, person);
    const ids = await enqueue(tx, [{ name: userWelcomeEmailRequested.name, data: { userId: person.id, ...(deadLetterId ? { deadLetterId } : {}) } }]);
    if (deadLetterId) await noteRetryEvent(tx, deadLetterId, ids[0]!);
    return ids;
  });
}

/**
 * A welcome email that failed for good, queued again with its attempts from zero — by the person's
 * "Send again" or an admin's retry of its dead letter — so the account page and the overview show
 * it on its way while the new run works (and "Send again" is not offered meanwhile). A run that
 * fails again marks it failed through the function's onFailure. Returns 0 when it had not failed.
 */
export async function queueFailedWelcome(tx: Prisma.TransactionClient, userId: string): Promise<number> {
  const { count } = await tx.user.updateMany({
    where: { id: userId, welcomeEmailStatus: "FAILED", emailVerifiedAt: { not: null } },
    data: { welcomeEmailStatus: "QUEUED", welcomeEmailFailedAttempts: 0, welcomeRequestedAt: new Date() },
  });
  return count;
}
