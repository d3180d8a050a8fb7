import "server-only";
import { createElement } from "react";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordDelivery } from "@/lib/email/delivery-marker";
import { sendEmail } from "@/lib/email/mailer";
import { renderEmailHtml } from "@/lib/email/render";
import { DigestEmail, digestSubject, digestText } from "@/lib/email/digest-template";
import { createUnsubscribeToken } from "@/lib/digest/unsubscribe-token";
import { isoWeekStart } from "@/lib/schedules/definitions";

/** The completion marker's kind: one digest per user per ISO week. */
export const digestKind = (week: string) => `digest:${week}`;
/** Same key for every attempt and run of this user's digest this week: the provider sends once. */
export const digestIdempotencyKey = (week: string, userId: string) => `digest/${week}/${userId}`;

/**
 * The link is issued as of the week's start, so every attempt (and every run) of this week's digest
 * renders the same email: the provider's idempotency key refuses a different payload.
 */
export const unsubscribeUrl = (userId: string, week: string) =>
  `${env.APP_URL}/unsubscribe?token=${encodeURIComponent(createUnsubscribeToken(userId, isoWeekStart(week)))}`;

export type DigestRecipient =
  | { status: "pending"; email: string; name: string; newMembers: number }
  | { status: "done"; reason: string };

/** Re-checks everything at send time: the person may have opted out or been sent it meanwhile. */
export async function loadDigestRecipient(userId: string, week: string): Promise<DigestRecipient> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { email: true, name: true, digestOptOut: true, emailVerifiedAt: true, deliveries: { where: { kind: digestKind(week) }, select: { providerId: true } } },
  });
  if (!user) return { status: "done", reason: "user no longer exists" };
  if (user.deliveries.length) return { status: "done", reason: `already sent (${user.deliveries[0]!.providerId})` };
  if (user.digestOptOut) return { status: "done", reason: "opted out" };
  if (!user.emailVerifiedAt) return { status: "done", reason: "email not verified" };
  // The week before this one: fixed by the week, so a repeated send renders the same email.
  const start = isoWeekStart(week);
  const newMembers = await db.user.count({ where: { emailVerifiedAt: { not: null }, createdAt: { gte: new Date(start.getTime() - 7 * 86_400_000), lt: start } } });
  return { status: "pending", email: user.email, name: user.name, newMembers };
}

export async function sendDigestEmail(userId: string, week: string, recipient: { email: string; name: string; newMembers: number }) {
  const link = unsubscribeUrl(userId, week);
  const props = { name: recipient.name, week, newMembers: recipient.newMembers, appUrl: env.APP_URL, unsubscribeUrl: link };
  return sendEmail({
    to: recipient.email,
    subject: digestSubject(week),
    html: await renderEmailHtml(createElement(DigestEmail, props)),
    text: digestText(props),
    idempotencyKey: digestIdempotencyKey(week, userId),
    // RFC 8058 one-click: mail clients POST to the link (never a GET that changes anything).
    headers: { "List-Unsubscribe": `<${link}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  });
}

/** The marker; recording the same delivery twice is a no-op. */
export async function recordDigestDelivery(userId: string, week: string, providerId: string): Promise<void> {
  await recordDelivery({ userId, kind: digestKind(week), providerId });
}
