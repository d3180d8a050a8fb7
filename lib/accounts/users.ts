import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma, type Role } from "@/lib/generated/prisma/client";
import { hashPassword } from "@/lib/accounts/password";

export type PublicUser = { id: string; email: string; name: string; role: Role; createdAt: Date };

const publicFields = { id: true, email: true, name: true, role: true, createdAt: true } as const;

export const DUPLICATE_EMAIL_MESSAGE = "An account with this email already exists. Log in instead?";

/** The unique index on email decides races: of two sign-ups with one email, exactly one wins. */
export function asDuplicateEmail(error: unknown): AppError | null {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    return new AppError("conflict", DUPLICATE_EMAIL_MESSAGE, { fieldErrors: { email: [DUPLICATE_EMAIL_MESSAGE] } });
  }
  return null;
}

/** Email must already be normalised (lower-case, trimmed) by the schema. */
export async function createUser(input: { name: string; email: string; password: string; role?: Role }): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.user.create({
      data: { name: input.name, email: input.email, passwordHash, role: input.role ?? "USER" },
      select: publicFields,
    });
  } catch (error) {
    throw asDuplicateEmail(error) ?? error;
  }
}

/** For login only: the one query that reads the password hash. */
export function findUserForLogin(email: string) {
  return db.user.findUnique({ where: { email }, select: { ...publicFields, passwordHash: true } });
}

export function findUserById(id: string): Promise<PublicUser | null> {
  return db.user.findUnique({ where: { id }, select: publicFields });
}

export function listRecentUsers(take = 20): Promise<PublicUser[]> {
  return db.user.findMany({ orderBy: { createdAt: "desc" }, take, select: publicFields });
}

export function countUsers() {
  return db.user.groupBy({ by: ["role"], _count: { _all: true } });
}

/**
 * For the command line only (`npm run admin:create`): creates the admin, or promotes an existing
 * account (keeping its password unless a new one is given). There is no web path to this.
 */
export async function upsertAdmin(input: { email: string; name: string; password?: string }): Promise<{ user: PublicUser; created: boolean }> {
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) {
    const user = await db.user.update({
      where: { id: existing.id },
      data: { role: "ADMIN", ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}) },
      select: publicFields,
    });
    return { user, created: false };
  }
  if (!input.password) throw new AppError("unprocessable", "A password is required to create a new admin account.");
  const user = await createUser({ ...input, password: input.password, role: "ADMIN" });
  return { user, created: true };
}
