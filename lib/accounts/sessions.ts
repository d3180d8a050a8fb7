import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { Role } from "@/lib/generated/prisma/client";
import { hashToken, newSessionToken } from "@/lib/accounts/session-tokens";
import type { PublicUser } from "@/lib/accounts/users";

const HOUR_MS = 60 * 60 * 1000;

/** How long a new session lasts: SESSION_TTL_DAYS for members, ADMIN_SESSION_TTL_HOURS for admins. */
export function sessionTtlMs(role: Role): number {
  return role === "ADMIN" ? env.ADMIN_SESSION_TTL_HOURS * HOUR_MS : env.SESSION_TTL_DAYS * 24 * HOUR_MS;
}

/** `client` lets a caller create the session inside its own transaction. */
export async function createSession(user: { id: string; role: Role }, now = new Date(), client: Pick<typeof db, "session"> = db): Promise<{ token: string; expiresAt: Date }> {
  const token = newSessionToken();
  const expiresAt = new Date(now.getTime() + sessionTtlMs(user.role));
  await client.session.create({ data: { tokenHash: hashToken(token), userId: user.id, expiresAt, createdAt: now } });
  return { token, expiresAt };
}

/**
 * The user behind a cookie's token, read fresh from the database (a role change takes effect on
 * the next request), or null for an unknown, forged or expired token. An admin's session also
 * ends ADMIN_SESSION_TTL_HOURS after it began, whatever expiry it was given (say, as a member's).
 */
export async function findSessionUser(token: string | undefined, now = new Date()): Promise<PublicUser | null> {
  if (!token || token.length > 200) return null;
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { expiresAt: true, createdAt: true, user: { select: { id: true, email: true, name: true, role: true, createdAt: true } } },
  });
  if (!session || session.expiresAt <= now) return null;
  if (session.user.role === "ADMIN" && session.createdAt.getTime() + sessionTtlMs("ADMIN") <= now.getTime()) return null;
  return session.user;
}

export async function deleteSession(token: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

export async function deleteUserSessions(userId: string): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { userId } });
  return count;
}
