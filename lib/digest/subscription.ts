import "server-only";
import { db } from "@/lib/db";
import { logger } from "@/lib/logger";
import { verifyUnsubscribeToken, type TokenCheck } from "@/lib/digest/unsubscribe-token";

// Whether a member gets the weekly digest: the switch on the account page and the signed
// /unsubscribe link in every digest.

export async function getDigestSubscribed(userId: string): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { digestOptOut: true } });
  return user ? !user.digestOptOut : false;
}

/** Returns false when the user no longer exists. */
export async function setDigestOptOut(userId: string, optOut: boolean): Promise<boolean> {
  const { count } = await db.user.updateMany({ where: { id: userId }, data: { digestOptOut: optOut } });
  return count > 0;
}

/** Why a link cannot be used, in the two ways the page explains it. */
export type BadLinkReason = "expired" | "invalid";

const badLink = (check: Extract<TokenCheck, { ok: false }>) => ({ ok: false as const, reason: (check.reason === "expired" ? "expired" : "invalid") as BadLinkReason });

/** GET /unsubscribe: whose digest a link would stop. Changes nothing (mail scanners prefetch links). */
export async function checkUnsubscribeLink(token: string | null): Promise<{ ok: true; email: string } | { ok: false; reason: BadLinkReason }> {
  const check = verifyUnsubscribeToken(token);
  if (!check.ok) return badLink(check);
  const user = await db.user.findUnique({ where: { id: check.userId }, select: { email: true } });
  return user ? { ok: true, email: user.email } : { ok: false, reason: "invalid" };
}

/** POST /unsubscribe (the page's button or a mail client's RFC 8058 one-click): the digest stops. */
export async function unsubscribeByLink(token: string | null): Promise<{ ok: true } | { ok: false; reason: BadLinkReason }> {
  const check = verifyUnsubscribeToken(token);
  if (!check.ok) return badLink(check);
  if (!(await setDigestOptOut(check.userId, true))) return { ok: false, reason: "invalid" };
  logger.info("digest unsubscribed by link", { userId: check.userId });
  return { ok: true };
}
