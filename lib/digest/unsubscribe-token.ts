import "server-only";
import { z } from "zod";
import { createSignedToken, readSignedToken } from "@/lib/signed-token";

// A signed, expiring capability to turn off one person's digest, carried in the email's link
// (lib/signed-token.ts; the purpose is part of the signed text, so a token made for something
// else can never unsubscribe anyone).

const PURPOSE = "digest-unsubscribe";
/** Long enough for an old digest's link to still work; short enough that leaked links die. */
export const UNSUBSCRIBE_TOKEN_TTL_DAYS = 90;

const payloadSchema = z.object({ u: z.uuid(), exp: z.number().int() });

export function createUnsubscribeToken(userId: string, now = new Date()): string {
  return createSignedToken(PURPOSE, { u: userId, exp: Math.floor(now.getTime() / 1000) + UNSUBSCRIBE_TOKEN_TTL_DAYS * 86_400 });
}

export type TokenCheck = { ok: true; userId: string } | { ok: false; reason: "malformed" | "bad-signature" | "expired" };

export function verifyUnsubscribeToken(token: string | null | undefined, now = new Date()): TokenCheck {
  const check = readSignedToken(PURPOSE, token, payloadSchema, now, 512);
  return check.ok ? { ok: true, userId: check.payload.u } : check;
}
