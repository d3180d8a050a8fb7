import "server-only";
import { AppError } from "@/lib/errors";
import { findUserForLogin, type PublicUser } from "@/lib/accounts/users";
import { verifyAgainstDecoy, verifyPassword } from "@/lib/accounts/password";
import { consume, reset } from "@/lib/accounts/rate-limit";

export const LOGIN_LIMIT = 5;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** One message for unknown email and wrong password: the form must not reveal who has an account. */
export const BAD_CREDENTIALS = "Email or password is incorrect.";

/**
 * Checks credentials under a per email+IP limit. The attempt is counted before the password is
 * checked, so a locked-out client learns nothing more; success clears its window.
 */
export async function authenticate(email: string, password: string, ip: string, now = new Date()): Promise<PublicUser> {
  const key = `login:${email}:${ip}`;
  const limit = await consume(key, LOGIN_LIMIT, LOGIN_WINDOW_MS, now);
  if (!limit.allowed) {
    const minutes = Math.max(1, Math.ceil((limit.resetAt.getTime() - now.getTime()) / 60_000));
    throw new AppError("rate_limited", `Too many login attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, {
      headers: { "retry-after": String(minutes * 60) },
    });
  }

  const user = await findUserForLogin(email);
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
  if (!user || !ok) throw new AppError("unauthorized", BAD_CREDENTIALS);

  await reset(key);
  const { passwordHash: _omitted, ...publicUser } = user;
  return publicUser;
}
