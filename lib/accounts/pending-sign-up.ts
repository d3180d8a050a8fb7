import "server-only";
import { cookies } from "next/headers";
import { z } from "zod";
import { env } from "@/lib/env";
import { createSignedToken, readSignedToken } from "@/lib/signed-token";

// The browser's memory of a sign-up that waits for its email: which address, and which email send
// (a SignUpAttempt row) the "check your inbox" page follows. Signed (so the page shows only an
// address this server put there) and short-lived. It is set the same way for a new address and an
// existing one; it is not a session and opens nothing.

export const PENDING_COOKIE = "pending_sign_up";
const PURPOSE = "pending-sign-up";
export const PENDING_TTL_SECONDS = 60 * 60;

export type PendingSignUp = { email: string; attemptId: string | null };

const payloadSchema = z.object({ e: z.string().min(3).max(254), a: z.uuid().nullable(), exp: z.number().int() });

export function pendingCookieValue(pending: PendingSignUp, now = new Date()): string {
  return createSignedToken(PURPOSE, { e: pending.email, a: pending.attemptId, exp: Math.floor(now.getTime() / 1000) + PENDING_TTL_SECONDS });
}

export function readPendingCookieValue(value: string | undefined, now = new Date()): PendingSignUp | null {
  const check = readSignedToken(PURPOSE, value, payloadSchema, now);
  return check.ok ? { email: check.payload.e, attemptId: check.payload.a } : null;
}

export async function setPendingSignUp(pending: PendingSignUp): Promise<void> {
  (await cookies()).set(PENDING_COOKIE, pendingCookieValue(pending), {
    httpOnly: true,
    sameSite: "lax",
    secure: env.APP_URL.startsWith("https:"),
    path: "/",
    maxAge: PENDING_TTL_SECONDS,
  });
}

export async function getPendingSignUp(): Promise<PendingSignUp | null> {
  return readPendingCookieValue((await cookies()).get(PENDING_COOKIE)?.value);
}

export async function clearPendingSignUp(): Promise<void> {
  (await cookies()).delete(PENDING_COOKIE);
}
