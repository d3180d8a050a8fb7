import "server-only";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { userAccountCreated, userSignUpRepeated, userVerificationEmailRequested } from "@/inngest/events";
import { db } from "@/lib/db";
import { hashPassword } from "@/lib/accounts/password";
import { isDuplicateEmail } from "@/lib/accounts/users";
import { checkAvatar } from "@/lib/avatars/images";
import { enqueue } from "@/lib/outbox/relay";
import { avatarKeys, storage } from "@/lib/avatars/storage";
import type { SignUpInput } from "@/lib/accounts/schemas";

/** What POST /api/users says for every accepted sign-up. */
export const SIGN_UP_ACCEPTED_MESSAGE = "Check your inbox: we're sending an email to finish signing up.";

/**
 * What a sign-up answers, the same for a new address and one that has an account: the attempt the
 * "check your inbox" page follows and the outbox rows to relay. `hashMs` is the password hashing
 * alone (the Server-Timing header reports it apart from the rest).
 */
export type SignUpAccepted = { attemptId: string; email: string; outboxIds: string[]; hashMs: number };

/**
 * The synchronous half of sign-up. The same work whether or not the address has an account — the
 * avatar checked, the password hashed, one transaction with a sign-up attempt row and an outbox
 * event — so neither the answer nor its timing tells them apart:
 * - a new address: the account (unverified) is created too, and `user/account.created` starts its
 *   verification; an avatar's original is stored now and processed once the address is verified;
 * - an address with an account: `user/sign-up.repeated`, nothing else (the owner may get a
 *   notice). The password typed is hashed and dropped.
 */
export async function acceptSignUp(input: SignUpInput & { avatar?: Buffer | null }): Promise<SignUpAccepted> {
  if (input.avatar) await checkAvatar(input.avatar);
  const hashStarted = performance.now();
  const passwordHash = await hashPassword(input.password);
  const hashMs = performance.now() - hashStarted;
  const attemptId = randomUUID();

  const created = await createAccount(input, passwordHash, attemptId);
  if (created) return { attemptId, email: input.email, outboxIds: created, hashMs };
  const outboxIds = await recordEmailRequest(input.email, attemptId, "repeated-sign-up");
  return { attemptId, email: input.email, outboxIds, hashMs };
}

/** Creates the unverified account, or returns null when the address has one (also when a concurrent sign-up just took it). */
async function createAccount(input: SignUpInput & { avatar?: Buffer | null }, passwordHash: string, attemptId: string): Promise<string[] | null> {
  const taken = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (taken) return null;
  const userId = randomUUID();
  const uploadId = input.avatar ? randomUUID() : null;
  if (input.avatar && uploadId) await storage().put(avatarKeys.original(userId, uploadId), input.avatar);
  try {
    return await db.$transaction(async (tx) => {
      await tx.user.create({
        data: { id: userId, name: input.name, email: input.email, passwordHash, avatarStatus: uploadId ? "PROCESSING" : "NONE", avatarUploadId: uploadId },
        select: { id: true },
      });
      await tx.signUpAttempt.create({ data: { id: attemptId, email: input.email }, select: { id: true } });
      return enqueue(tx, [{ name: userAccountCreated.name, data: { userId, attemptId } }]);
    });
  } catch (error) {
    if (uploadId) await storage().deleteFolder(avatarKeys.folder(userId)).catch(() => {});
    // The unique index on email decides a race between two sign-ups: the loser is a repeat.
    if (isDuplicateEmail(error)) return null;
    throw error;
  }
}

/**
 * A sign-up for an address that has an account, or "send the link again": an attempt row and the
 * event, in one transaction. What is sent (if anything) is decided in the background
 * (lib/accounts/sign-up-email.ts). After createAccount's lookup, a repeat costs one transaction
 * like a new account's, one insert fewer.
 */
export async function recordEmailRequest(email: string, attemptId: string, kind: "repeated-sign-up" | "resend"): Promise<string[]> {
  const event = kind === "resend" ? userVerificationEmailRequested : userSignUpRepeated;
  return db.$transaction(async (tx) => {
    await tx.signUpAttempt.create({ data: { id: attemptId, email }, select: { id: true } });
    return enqueue(tx, [{ name: event.name, data: { attemptId, email } }]);
  });
}
