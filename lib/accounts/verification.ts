import "server-only";
import { createElement } from "react";
import { z } from "zod";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { sendEmail } from "@/lib/email/mailer";
import { renderEmailHtml } from "@/lib/email/render";
import { VerificationEmail, verificationSubject, verificationText, type VerificationKind } from "@/lib/email/verification-template";
import { createSession } from "@/lib/accounts/sessions";
import { createSignedToken, readSignedToken } from "@/lib/signed-token";
import { avatarKeys, storage } from "@/lib/avatars/storage";
import { enqueue, type OutboxMessage } from "@/lib/outbox/relay";
import { verifiedColumns, verifiedEvents } from "@/lib/accounts/verified-events";

// The verification link: signed (HMAC with APP_SECRET, its own purpose), single-use (the
// email_verifications row it names is used once, and verifying uses every other link of the
// account), expiring (VERIFICATION_LINK_TTL_HOURS). Opening it shows a button; only the POST
// verifies — mail scanners fetch links, and must not use them up or get the session.

const PURPOSE = "email-verification";
const payloadSchema = z.object({ v: z.uuid(), exp: z.number().int() });

export type IssuedLink = { verificationId: string; exp: number };

export function verificationToken(link: IssuedLink): string {
  return createSignedToken(PURPOSE, { v: link.verificationId, exp: link.exp });
}

export function verificationUrl(link: IssuedLink): string {
  return `${env.APP_URL}/verify-email?token=${encodeURIComponent(verificationToken(link))}`;
}

export type VerificationTarget = { status: "pending"; userId: string; email: string } | { status: "done"; reason: string };

/** Who a link would go to, re-read at send time: nobody once the account is verified or gone. */
export async function loadVerificationTarget(userId: string): Promise<VerificationTarget> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, emailVerifiedAt: true } });
  if (!user) return { status: "done", reason: "user no longer exists" };
  if (user.emailVerifiedAt) return { status: "done", reason: "already verified" };
  return { status: "pending", userId, email: user.email };
}

/** A new link for an unverified account (its own row, so each email's link is its own). */
export async function issueVerificationLink(userId: string, now = new Date()): Promise<IssuedLink> {
  const expiresAt = new Date(now.getTime() + env.VERIFICATION_LINK_TTL_HOURS * 3_600_000);
  // Whole seconds: the token carries seconds, and the row must expire when the token does.
  expiresAt.setMilliseconds(0);
  const row = await db.emailVerification.create({ data: { userId, expiresAt }, select: { id: true } });
  return { verificationId: row.id, exp: expiresAt.getTime() / 1000 };
}

/** One email per link: the link's id is the idempotency key, so a repeated send is one email. */
export async function sendVerificationEmail(email: string, link: IssuedLink, kind: VerificationKind): Promise<{ providerId: string }> {
  const props = { kind, url: verificationUrl(link), appUrl: env.APP_URL, validHours: env.VERIFICATION_LINK_TTL_HOURS, deleteAfterDays: env.UNVERIFIED_ACCOUNT_DAYS };
  return sendEmail({
    to: email,
    subject: verificationSubject(kind),
    html: await renderEmailHtml(createElement(VerificationEmail, props)),
    text: verificationText(props),
    idempotencyKey: `verify-email/${link.verificationId}`,
  });
}

export type LinkCheck = { ok: true; verificationId: string } | { ok: false; reason: "invalid" | "expired" };

/** Reads a link without using it (for the page that shows the button). */
export function checkVerificationToken(token: string | null | undefined, now = new Date()): LinkCheck {
  const check = readSignedToken(PURPOSE, token, payloadSchema, now);
  if (check.ok) return { ok: true, verificationId: check.payload.v };
  return { ok: false, reason: check.reason === "expired" ? "expired" : "invalid" };
}

export type Verified =
  | { ok: true; userId: string; session: { token: string; expiresAt: Date }; outboxIds: string[] }
  | { ok: false; reason: "invalid" | "expired" | "used" };

/**
 * Uses a link: in one transaction the link is marked used (only if unused and unexpired — two
 * clicks, one wins), the account verified, every other link of it used up, every other session of
 * it ended, a new session made, and the events for what verification starts (welcome email, the
 * avatar upload waiting since sign-up) written to the outbox.
 */
export async function verifyEmail(token: string, now = new Date()): Promise<Verified> {
  const link = checkVerificationToken(token, now);
  if (!link.ok) return link;
  return db.$transaction(async (tx) => {
    const used = await tx.$queryRaw<{ user_id: string }[]>`
      update email_verifications set used_at = ${now}
      where id = ${link.verificationId}::uuid and used_at is null and expires_at > ${now}
      returning user_id`;
    const userId = used[0]?.user_id;
    if (!userId) return { ok: false, reason: "used" } as const;

    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, role: true, emailVerifiedAt: true, avatarStatus: true, avatarUploadId: true } });
    await tx.emailVerification.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } });
    await tx.session.deleteMany({ where: { userId } });
    let messages: OutboxMessage[] = [];
    if (!user.emailVerifiedAt) {
      await tx.user.update({ where: { id: userId }, data: verifiedColumns(now) });
      messages = verifiedEvents(user);
    }
    const session = await createSession(user, now, tx);
    const outboxIds = messages.length ? await enqueue(tx, messages) : [];
    return { ok: true, userId, session, outboxIds } as const;
  });
}

export type VerificationState = "verified" | "unverified" | "gone";

export async function verificationState(userId: string): Promise<VerificationState> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { emailVerifiedAt: true } });
  return !user ? "gone" : user.emailVerifiedAt ? "verified" : "unverified";
}

/**
 * Deletes an account that was never verified, with everything it uploaded. Safe to repeat: a
 * verified account is kept, and the files go whether or not the row was still there (a retry after
 * the row was deleted finishes the files).
 */
export async function deleteUnverifiedAccount(userId: string): Promise<{ deleted: boolean }> {
  const { count } = await db.user.deleteMany({ where: { id: userId, emailVerifiedAt: null } });
  const stillThere = count === 0 && (await db.user.count({ where: { id: userId } })) > 0;
  if (!stillThere) await storage().deleteFolder(avatarKeys.folder(userId));
  return { deleted: count === 1 };
}
