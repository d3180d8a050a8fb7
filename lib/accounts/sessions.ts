import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { hashToken, newSessionToken } from "@/lib/accounts/session-tokens";
import type { PublicUser } from "@/lib/accounts/users";

const DAY_MS = 24 * 60 * 60 * 1000;

/** `client` lets sign-up create the session inside its own transaction. */
export async function createSession(userId: string, now = new Date(), client: Pick<typeof db, "session"> = db): Promise<{ token: string; expiresAt: Date }> {
  const token = newSessionToken();
  const expiresAt = new Date(now.getTime() + env.SESSION_TTL_DAYS * DAY_MS);
  await client.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

/**
 * The user behind a cookie's token, read fresh from the database (a role change takes effect on
 * the next request), or null for an unknown, forged or expired token.
 */
export async function findSessionUser(token: string | undefined, now = new Date()): Promise<PublicUser | null> {
  if (!token || token.length > 200) return null;
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { expiresAt: true, user: { select: { id: true, email: true, name: true, role: true, createdAt: true } } },
  });
  if (!session || session.expiresAt <= now) return null;
  return session.user;
}

export async function deleteSession(token: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

export async function deleteUserSessions(userId: string): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { userId } });
  return count;
}
