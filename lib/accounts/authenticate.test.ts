import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { authenticate, BAD_CREDENTIALS } from "@/lib/accounts/authenticate";
import { needsRehash, verifyPassword } from "@/lib/accounts/password";
import { legacyScryptHash, makeUser, uniqueEmail } from "@/tests/factories";

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

// Each test has its own client addresses and accounts: limits are kept in the database.
let net = 0;
const freshClient = () => `10.${(net = (net + 1) % 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const minutes = (n: number) => n * 60_000;

describe("authenticate", () => {
  it("logs in with the right password", async () => {
    const user = await makeUser({ password: "right-password" });
    expect(await authenticate(user.email, "right-password", freshClient())).toMatchObject({ id: user.id, emailVerified: true });
  });

  it("says the same thing for an unknown email and a wrong password", async () => {
    const user = await makeUser({ password: "right-password" });
    const client = freshClient();
    const wrong = await failure(authenticate(user.email, "wrong-password", client));
    const unknown = await failure(authenticate(uniqueEmail("nobody"), "wrong-password", client));
    expect(wrong.message).toBe(BAD_CREDENTIALS);
    expect(unknown.message).toBe(BAD_CREDENTIALS);
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
  });

  it("limits attempts per account and client, then lets the window expire (injected clock)", async () => {
    const user = await makeUser({ password: "right-password" });
    const client = freshClient();
    const { limit, windowMs } = env.RATE_LIMIT_LOG_IN_PER_ACCOUNT_CLIENT;
    const now = new Date();
    for (let i = 0; i < limit; i++) expect((await failure(authenticate(user.email, "nope", client, now))).code).toBe("unauthorized");
    // Even the right password is refused while the window is full.
    const limited = await failure(authenticate(user.email, "right-password", client, now));
    expect(limited.status).toBe(429);
    expect(limited.message).toBe("Too many login attempts. Try again in 15 minutes.");
    expect(limited.headers).toEqual({ "retry-after": String(windowMs / 1000) });
    // Another client is not affected…
    expect(await authenticate(user.email, "right-password", freshClient(), now)).toMatchObject({ id: user.id });
    // …and after the window the first client can log in again.
    expect(await authenticate(user.email, "right-password", client, new Date(now.getTime() + windowMs + 1))).toMatchObject({ id: user.id });
  });

  it("clears the account-and-client count after a successful login", async () => {
    const user = await makeUser({ password: "right-password" });
    const client = freshClient();
    const { limit } = env.RATE_LIMIT_LOG_IN_PER_ACCOUNT_CLIENT;
    for (let i = 0; i < limit - 1; i++) await failure(authenticate(user.email, "nope", client));
    await authenticate(user.email, "right-password", client);
    for (let i = 0; i < limit - 1; i++) await failure(authenticate(user.email, "nope", client));
    expect(await authenticate(user.email, "right-password", client)).toMatchObject({ id: user.id });
  });

  it("limits one account however many clients guess at it (a fresh x-forwarded-for per request does not help)", async () => {
    const user = await makeUser({ password: "right-password" });
    const { limit, windowMs } = env.RATE_LIMIT_LOG_IN_PER_ACCOUNT;
    const now = new Date();
    for (let i = 0; i < limit; i++) expect((await failure(authenticate(user.email, "guess", freshClient(), now))).code).toBe("unauthorized");
    const limited = await failure(authenticate(user.email, "right-password", freshClient(), now));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers?.["retry-after"])).toBe(windowMs / 1000);
    expect(await authenticate(user.email, "right-password", freshClient(), new Date(now.getTime() + windowMs + 1))).toMatchObject({ id: user.id });
  });

  it("limits one client spraying a password over many accounts", async () => {
    const client = freshClient();
    const { limit, windowMs } = env.RATE_LIMIT_LOG_IN_PER_CLIENT;
    const now = new Date();
    for (let i = 0; i < limit; i++) expect((await failure(authenticate(uniqueEmail("spray"), "Summer2026!", client, now))).code).toBe("unauthorized");
    const member = await makeUser({ password: "right-password" });
    const limited = await failure(authenticate(member.email, "right-password", client, now));
    expect(limited).toMatchObject({ status: 429, message: expect.stringMatching(/^Too many login attempts\. Try again in \d+ minutes?\.$/) });
    // Other clients still log in; this one again after its window.
    expect(await authenticate(member.email, "right-password", freshClient(), now)).toMatchObject({ id: member.id });
    expect(await authenticate(member.email, "right-password", client, new Date(now.getTime() + windowMs + minutes(1)))).toMatchObject({ id: member.id });
  });

  it("rehashes a pre-argon2 (scrypt) hash on the next successful login, and never on a failed one", async () => {
    const user = await makeUser();
    const old = legacyScryptHash("old scrypt password");
    await db.user.update({ where: { id: user.id }, data: { passwordHash: old } });
    const stored = async () => (await db.user.findUniqueOrThrow({ where: { id: user.id }, omit: { passwordHash: false } })).passwordHash;

    await failure(authenticate(user.email, "not it", freshClient()));
    expect(await stored()).toBe(old);

    expect(await authenticate(user.email, "old scrypt password", freshClient())).toMatchObject({ id: user.id });
    const upgraded = await stored();
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(upgraded)).toBe(false);
    expect(await verifyPassword("old scrypt password", upgraded)).toBe(true);
    // And the new hash logs in (and is left alone).
    expect(await authenticate(user.email, "old scrypt password", freshClient())).toMatchObject({ id: user.id });
    expect(await stored()).toBe(upgraded);
  });

  it("tells the caller when the account is not verified yet (only after the right password)", async () => {
    const user = await makeUser({ password: "right-password" });
    await db.user.update({ where: { id: user.id }, data: { emailVerifiedAt: null } });
    expect(await authenticate(user.email, "right-password", freshClient())).toMatchObject({ id: user.id, emailVerified: false });
    expect((await failure(authenticate(user.email, "wrong-password", freshClient()))).message).toBe(BAD_CREDENTIALS);
  });
});
