import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { appSecret } from "@/lib/env";

// A signed, expiring capability to turn off one person's digest, carried in the email's link.
// `<base64url(json)>.<base64url(hmac-sha256)>`; the purpose is part of the signed text so a token
// made for something else (later) can never unsubscribe anyone.

const PURPOSE = "digest-unsubscribe";
/** Long enough for an old digest's link to still work; short enough that leaked links die. */
export const UNSUBSCRIBE_TOKEN_TTL_DAYS = 90;

const payloadSchema = z.object({ u: z.uuid(), exp: z.number().int() });

function sign(body: string): Buffer {
  return createHmac("sha256", appSecret()).update(`${PURPOSE}.${body}`).digest();
}

export function createUnsubscribeToken(userId: string, now = new Date()): string {
  const exp = Math.floor(now.getTime() / 1000) + UNSUBSCRIBE_TOKEN_TTL_DAYS * 86_400;
  const body = Buffer.from(JSON.stringify({ u: userId, exp })).toString("base64url");
  return `${body}.${sign(body).toString("base64url")}`;
}

export type TokenCheck = { ok: true; userId: string } | { ok: false; reason: "malformed" | "bad-signature" | "expired" };

export function verifyUnsubscribeToken(token: string | null | undefined, now = new Date()): TokenCheck {
  if (!token || token.length > 512) return { ok: false, reason: "malformed" };
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return { ok: false, reason: "malformed" };
  const given = Buffer.from(signature, "base64url");
  const expected = sign(body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad-signature" };
  let payload: z.infer<typeof payloadSchema>;
  try {
    payload = payloadSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (payload.exp * 1000 <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, userId: payload.u };
}
