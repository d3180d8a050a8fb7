import "server-only";
import { createElement } from "react";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordDelivery } from "@/lib/email/delivery-marker";
import { sendEmail } from "@/lib/email/mailer";
import { renderEmailHtml } from "@/lib/email/render";
import { SIGN_UP_NOTICE_SUBJECT, SignUpNoticeEmail, signUpNoticeText } from "@/lib/email/verification-template";
import { issueVerificationLink, type IssuedLink } from "@/lib/accounts/verification";

// What a repeated sign-up or a "send the link again" sends, decided in the background, where the
// answer cannot leak to whoever asked: the owner of a verified account gets one "someone tried to
// sign up with your address" notice a day; an account still unverified gets a fresh link; an
// address with no account gets nothing. Either way the person watching sees "sent".

/** The notice's completion marker: one per owner per UTC day. */
export const signUpNoticeKind = (day: string) => `sign-up-notice:${day}`;

export type SignUpEmailPlan =
  | { kind: "verification"; email: string; link: IssuedLink }
  | { kind: "notice"; userId: string; email: string; day: string }
  | { kind: "none"; reason: string };

/** `now` is the event's time, so a retried run decides for the same day. */
export async function planSignUpEmail(attemptId: string, trigger: "repeated-sign-up" | "resend", now: Date): Promise<SignUpEmailPlan> {
  const attempt = await db.signUpAttempt.findUnique({ where: { id: attemptId }, select: { email: true } });
  if (!attempt) return { kind: "none", reason: "the sign-up attempt is gone" };
  const day = now.toISOString().slice(0, 10);
  const user = await db.user.findUnique({
    where: { email: attempt.email },
    select: { id: true, emailVerifiedAt: true, deliveries: { where: { kind: signUpNoticeKind(day) }, select: { id: true } } },
  });
  if (!user) return { kind: "none", reason: "no account for the address" };
  if (!user.emailVerifiedAt) return { kind: "verification", email: attempt.email, link: await issueVerificationLink(user.id, now) };
  if (trigger === "resend") return { kind: "none", reason: "the account is verified" };
  if (user.deliveries.length) return { kind: "none", reason: `notice already sent on ${day}` };
  return { kind: "notice", userId: user.id, email: attempt.email, day };
}

export async function sendSignUpNotice(plan: { userId: string; email: string; day: string }): Promise<{ providerId: string }> {
  const props = { appUrl: env.APP_URL };
  return sendEmail({
    to: plan.email,
    subject: SIGN_UP_NOTICE_SUBJECT,
    html: await renderEmailHtml(createElement(SignUpNoticeEmail, props)),
    text: signUpNoticeText(props),
    idempotencyKey: `sign-up-notice/${plan.userId}/${plan.day}`,
  });
}

export async function recordSignUpNotice(plan: { userId: string; day: string }, providerId: string): Promise<void> {
  await recordDelivery({ userId: plan.userId, kind: signUpNoticeKind(plan.day), providerId });
}
