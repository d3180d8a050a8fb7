import "server-only";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { env } from "@/lib/env";
import type { Role } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { createSession, deleteSession } from "@/lib/accounts/sessions";
import type { PublicUser } from "@/lib/accounts/users";
import { resolveAccess } from "@/lib/accounts/access";

export const SESSION_COOKIE = "session";

async function readToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

export async function startSession(userId: string): Promise<void> {
  const { token, expiresAt } = await createSession(userId);
  await setSessionCookie(token, expiresAt);
}

export async function setSessionCookie(token: string, expiresAt: Date): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: env.APP_URL.startsWith("https:"),
    path: "/",
    expires: expiresAt,
  });
}

export async function endSession(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await deleteSession(token);
  jar.delete(SESSION_COOKIE);
}

export async function getCurrentUser(): Promise<PublicUser | null> {
  const access = await resolveAccess(await readToken(), "ANY");
  return access.kind === "granted" ? access.user : null;
}

/** For pages: logged-out people go to login (and come back), the wrong role gets the 403 page. */
export async function requirePageAccess(required: Role | "ANY", returnTo: string): Promise<PublicUser> {
  const access = await resolveAccess(await readToken(), required);
  if (access.kind === "unauthenticated") redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  if (access.kind === "forbidden") forbidden();
  return access.user;
}

/** For route handlers and actions: throws 401/403 as an AppError. */
export async function requireAccess(required: Role | "ANY"): Promise<PublicUser> {
  const access = await resolveAccess(await readToken(), required);
  if (access.kind === "unauthenticated") throw new AppError("unauthorized", "Please log in to continue.");
  if (access.kind === "forbidden") throw new AppError("forbidden", "You don't have permission to do that.");
  return access.user;
}
