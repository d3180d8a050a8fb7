import "server-only";
import { AppError } from "@/lib/errors";
import { findUserForLogin, replacePasswordHash, type PublicUser } from "@/lib/accounts/users";
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from "@/lib/accounts/password";
import { enforceLimits, reset } from "@/lib/accounts/rate-limit";
import { logInLimits, logInPairKey } from "@/lib/accounts/limits";

/** One message for unknown email and wrong password: the form must not reveal who has an account. */
export const BAD_CREDENTIALS = "Email or password is incorrect.";

export type Authenticated = PublicUser & { emailVerified: boolean };

/**
 * Checks credentials under three limits — this account from this client, this account from any
 * client, this client for any account (lib/accounts/limits.ts). The attempt is counted before the
 * password is checked, so a locked-out client learns nothing more; success clears only the first.
 * A hash from before today's parameters (scrypt, or weaker argon2) is replaced on success.
 */
export async function authenticate(email: string, password: string, client: string, now = new Date()): Promise<Authenticated> {
  await enforceLimits(logInLimits(email, client), now);

  const user = await findUserForLogin(email);
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
  if (!user || !ok) throw new AppError("unauthorized", BAD_CREDENTIALS);

  await reset(logInPairKey(email, client));
  if (needsRehash(user.passwordHash)) {
    // Only if the hash is still the one just checked: a password changed meanwhile wins.
    await replacePasswordHash(user.id, user.passwordHash, await hashPassword(password));
  }
  const { passwordHash: _omitted, emailVerifiedAt, ...publicUser } = user;
  return { ...publicUser, emailVerified: emailVerifiedAt !== null };
}
