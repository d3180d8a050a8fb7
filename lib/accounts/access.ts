import "server-only";
import type { Role } from "@/lib/generated/prisma/client";
import { findSessionUser } from "@/lib/accounts/sessions";
import type { PublicUser } from "@/lib/accounts/users";

export type Access =
  | { kind: "granted"; user: PublicUser }
  | { kind: "unauthenticated" }
  | { kind: "forbidden"; user: PublicUser };

/**
 * The one authorization decision, shared by pages, server actions and route handlers (each maps
 * it to its own response). The role is read from the database on every call, never from the cookie.
 */
export async function resolveAccess(token: string | undefined, required: Role | "ANY"): Promise<Access> {
  const user = await findSessionUser(token);
  if (!user) return { kind: "unauthenticated" };
  if (required === "ADMIN" && user.role !== "ADMIN") return { kind: "forbidden", user };
  return { kind: "granted", user };
}
