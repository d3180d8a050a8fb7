import "server-only";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Role } from "@/lib/generated/prisma/client";
import { createSession, deleteSession, deleteUserSessions, findSessionUser } from "@/lib/accounts/sessions";
import type { PublicUser } from "@/lib/accounts/users";
import { decideAccess, type AccessLevel, type AdminUser } from "@/lib/accounts/access";

export const SESSION_COOKIE = "session";

async function readToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

/**
 * Logs this browser in as `user`. The session its cookie had (someone else's, or a fixated one)
 * is ended first: a log-in never leaves the previous session of that cookie alive.
 */
export async function startSession(user: { id: string; role: Role }): Promise<void> {
  await endCookieSession();
  const { token, expiresAt } = await createSession(user);
  await setSessionCookie(token, expiresAt);
}

/** Sets the cookie for a session created elsewhere (verification creates it in its transaction), ending the cookie's previous one. */
export async function replaceSessionCookie(token: string, expiresAt: Date): Promise<void> {
  await endCookieSession();
  await setSessionCookie(token, expiresAt);
}

async function endCookieSession(): Promise<void> {
  const previous = await readToken();
  if (previous) await deleteSession(previous);
}

async function setSessionCookie(token: string, expiresAt: Date): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: env.APP_URL.startsWith("https:"),
    path: "/",
    expires: expiresAt,
  });
}

export async function endSession(): Promise<void> {
  await endCookieSession();
  (await cookies()).delete(SESSION_COOKIE);
}

/** "Sign out everywhere": every session of this user, this browser's included. */
export async function endAllSessions(userId: string): Promise<number> {
  const count = await deleteUserSessions(userId);
  (await cookies()).delete(SESSION_COOKIE);
  return count;
}

/**
 * The user behind this request's session cookie, read once per request: a layout and its page
 * both ask, and React's `cache` makes that one query while Next renders Server Components. In a
 * route handler or server action `cache` does not memoize (no render is under way), which costs
 * nothing there: each asks once.
 */
const sessionUser = cache(async (): Promise<PublicUser | null> => findSessionUser(await readToken()));

export async function getCurrentUser(): Promise<PublicUser | null> {
  return sessionUser();
}

/** For pages: logged-out people go to login (and come back), the wrong role gets the 403 page. */
export async function requirePageAccess(required: "ADMIN", returnTo: string): Promise<AdminUser>;
export async function requirePageAccess(required: AccessLevel, returnTo: string): Promise<PublicUser>;
export async function requirePageAccess(required: AccessLevel, returnTo: string): Promise<PublicUser> {
  const access = decideAccess(await sessionUser(), required);
  if (access.kind === "unauthenticated") redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  if (access.kind === "forbidden") forbidden();
  return access.user;
}

/** For route handlers and actions: throws 401/403 as an AppError. */
export async function requireAccess(required: "ADMIN"): Promise<AdminUser>;
export async function requireAccess(required: AccessLevel): Promise<PublicUser>;
export async function requireAccess(required: AccessLevel): Promise<PublicUser> {
  const access = decideAccess(await sessionUser(), required);
  if (access.kind === "unauthenticated") throw new AppError("unauthorized", "Please log in to continue.");
  if (access.kind === "forbidden") throw new AppError("forbidden", "You don't have permission to do that.");
  return access.user;
}
