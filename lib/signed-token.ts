import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { appSecret } from "@/lib/env";

// `<base64url(json)>.<base64url(hmac-sha256)>` with APP_SECRET, the purpose part of the signed
// text: a token made for one purpose (the pending sign-up cookie) is never accepted for another
// (a verification link, a digest's unsubscribe link).

function sign(purpose: string, body: string): Buffer {
  return createHmac("sha256", appSecret()).update(`${purpose}.${body}`).digest();
}

/** `payload.exp` is seconds since the epoch. */
export function createSignedToken(purpose: string, payload: { exp: number } & Record<string, unknown>): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${sign(purpose, body).toString("base64url")}`;
}

export type SignedCheck<T> = { ok: true; payload: T } | { ok: false; reason: "malformed" | "bad-signature" | "expired" };

/** `maxLength`: longer tokens are refused unread (links carry them; none of ours is near 1 KB). */
export function readSignedToken<S extends z.ZodType<{ exp: number }>>(purpose: string, token: string | null | undefined, schema: S, now = new Date(), maxLength = 1024): SignedCheck<z.output<S>> {
  if (!token || token.length > maxLength) return { ok: false, reason: "malformed" };
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return { ok: false, reason: "malformed" };
  const given = Buffer.from(signature, "base64url");
  const expected = sign(purpose, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad-signature" };
  let payload: z.output<S>;
  try {
    payload = schema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (payload.exp * 1000 <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, payload };
}
