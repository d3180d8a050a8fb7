import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma, type Role } from "@/lib/generated/prisma/client";
import { hashPassword } from "@/lib/accounts/password";
import { audit } from "@/lib/audit/audit-log";
import { verifiedColumns, verifiedEvents } from "@/lib/accounts/verified-events";
import { enqueue } from "@/lib/outbox/relay";

export type PublicUser = { id: string; email: string; name: string; role: Role; createdAt: Date };

const publicFields = { id: true, email: true, name: true, role: true, createdAt: true } as const;

export const DUPLICATE_EMAIL_MESSAGE = "An account with this email already exists.";

/** The unique index on email decides races: of two creations with one email, exactly one wins. */
export function isDuplicateEmail(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * A verified account, for the command line and the tests (people sign up through
 * lib/accounts/registration.ts, which verifies the address first). Email must already be
 * normalised (lower-case, trimmed) by the schema.
 */
export async function createUser(input: { name: string; email: string; password: string; role?: Role }): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.user.create({
      data: { name: input.name, email: input.email, passwordHash, role: input.role ?? "USER", emailVerifiedAt: new Date() },
      select: publicFields,
    });
  } catch (error) {
    if (isDuplicateEmail(error)) throw new AppError("conflict", DUPLICATE_EMAIL_MESSAGE, { fieldErrors: { email: [DUPLICATE_EMAIL_MESSAGE] } });
    throw error;
  }
}

/** For login only: the one query that reads the password hash. */
export function findUserForLogin(email: string) {
  return db.user.findUnique({ where: { email }, select: { ...publicFields, passwordHash: true, emailVerifiedAt: true } });
}

/** Swaps the hash only if it is still `current` (a rehash at log-in never overwrites a newer password). */
export async function replacePasswordHash(userId: string, current: string, next: string): Promise<boolean> {
  const { count } = await db.user.updateMany({ where: { id: userId, passwordHash: current }, data: { passwordHash: next } });
  return count === 1;
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

export const PROMOTE_REFUSED =
  "An account with this email already exists. To make it an admin, run again with --promote-existing: it gets the new password you give and every session it has is ended.";

/** `welcomeQueued`: the address became verified here, so its welcome email is in the outbox. */
export type AdminResult = { user: PublicUser; outcome: "created" | "promoted"; sessionsEnded: number; welcomeQueued: boolean };

/**
 * For the command line only (`npm run admin:create`); there is no web path to this. Creates a new
 * admin, or — only when `promoteExisting` is set — promotes an existing account: whoever signed up
 * with that address first must not become an admin with the password and the sessions they chose,
 * so promotion sets the given password and ends every session of the account. Both are audited.
 */
export async function createAdmin(input: { email: string; name: string; password?: string; promoteExisting?: boolean; operator: string }): Promise<AdminResult> {
  if (!input.password) throw new AppError("unprocessable", "A password is required (--password or ADMIN_PASSWORD).");
  const passwordHash = await hashPassword(input.password);
  const via = { via: "npm run admin:create", operator: input.operator };
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({
      where: { email: input.email },
      select: { id: true, role: true, emailVerifiedAt: true, avatarStatus: true, avatarUploadId: true },
    });
    if (existing && !input.promoteExisting) throw new AppError("conflict", PROMOTE_REFUSED);
    if (existing) {
      const user = await tx.user.update({
        where: { id: existing.id },
        // The operator vouches for the address; an unverified account would otherwise be deleted.
        data: { role: "ADMIN", passwordHash, ...(existing.emailVerifiedAt ? {} : verifiedColumns(new Date())) },
        select: publicFields,
      });
      const { count: sessionsEnded } = await tx.session.deleteMany({ where: { userId: existing.id } });
      // Verified here rather than by the link: what verification starts starts now (welcome email,
      // a waiting avatar; the verification function waiting for it finishes).
      if (!existing.emailVerifiedAt) await enqueue(tx, verifiedEvents(existing));
      await audit(
        { actor: "system", action: "user.promoted_to_admin", targetType: "user", targetId: user.id, details: { ...via, email: user.email, previousRole: existing.role, sessionsEnded } },
        tx,
      );
      return { user, outcome: "promoted" as const, sessionsEnded, welcomeQueued: !existing.emailVerifiedAt };
    }
    const user = await tx.user.create({
      data: { name: input.name, email: input.email, passwordHash, role: "ADMIN", ...verifiedColumns(new Date()) },
      select: publicFields,
    });
    // Verified at birth: the welcome email goes out as for anyone whose address is verified.
    await enqueue(tx, verifiedEvents({ id: user.id, avatarStatus: "NONE", avatarUploadId: null }));
    await audit({ actor: "system", action: "user.admin_created", targetType: "user", targetId: user.id, details: { ...via, email: user.email } }, tx);
    return { user, outcome: "created" as const, sessionsEnded: 0, welcomeQueued: true };
  });
}
