import "server-only";
import type { Role } from "@/lib/generated/prisma/client";
import { findSessionUser } from "@/lib/accounts/sessions";
import type { PublicUser } from "@/lib/accounts/users";

/** What a page, action or handler asks for: a role, or anyone signed in. */
export type AccessLevel = Role | "ANY";

/** A user whose role was checked to be ADMIN. */
export type AdminUser = PublicUser & { role: "ADMIN" };

export type Access<U extends PublicUser = PublicUser> =
  | { kind: "granted"; user: U }
  | { kind: "unauthenticated" }
  | { kind: "forbidden"; user: PublicUser };

export const isAdmin = (user: PublicUser): user is AdminUser => user.role === "ADMIN";

/**
 * The one authorization decision, shared by pages, server actions and route handlers (each maps
 * it to its own response), from the user behind the session as read from the database on this
 * request — never from the cookie. Asking for ADMIN gives an AdminUser when granted.
 */
export function decideAccess(user: PublicUser | null, required: "ADMIN"): Access<AdminUser>;
export function decideAccess(user: PublicUser | null, required: AccessLevel): Access;
export function decideAccess(user: PublicUser | null, required: AccessLevel): Access {
  if (!user) return { kind: "unauthenticated" };
  if (required === "ADMIN") return isAdmin(user) ? { kind: "granted", user } : { kind: "forbidden", user };
  return { kind: "granted", user };
}

/** The decision for a session token: the role is read from the database on every call. */
export async function resolveAccess(token: string | undefined, required: AccessLevel): Promise<Access> {
  return decideAccess(await findSessionUser(token), required);
}
