import "server-only";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { userAccountCreated, userSignUpRepeated, userVerificationEmailRequested } from "@/inngest/events";
import { db } from "@/lib/db";
import { hashPassword } from "@/lib/accounts/password";
import { checkAvatar } from "@/lib/avatars/images";
import { enqueue } from "@/lib/outbox/relay";
import { avatarKeys, storage } from "@/lib/avatars/storage";
import type { SignUpInput } from "@/lib/accounts/schemas";

/** What POST /api/users says for every accepted sign-up. */
export const SIGN_UP_ACCEPTED_MESSAGE = "Check your inbox: we're sending an email to finish signing up.";

/**
 * What a sign-up answers, the same for a new address and one that has an account: the attempt the
 * "check your inbox" page follows and the outbox rows to relay. `hashMs` is the password hashing
 * alone (the Server-Timing header reports it apart from the rest). `afterResponse` is clean-up
 * that must not weigh on the answer (a repeat's avatar file), for after().
 */
export type SignUpAccepted = { attemptId: string; email: string; outboxIds: string[]; hashMs: number; afterResponse: () => Promise<void> };

/**
 * The synchronous half of sign-up. The same work, statement for statement, whether or not the
 * address has an account — so neither the answer nor its timing tells them apart: the avatar is
 * checked and its original written, the password hashed, and one transaction runs the same three
 * inserts: the user (`on conflict (email) do nothing`: the unique index decides, also between two
 * concurrent sign-ups), the sign-up attempt, and one outbox event —
 * - a new address: the account is created unverified and `user/account.created` starts its
 *   verification; the avatar's original waits there until the address is verified;
 * - an address with an account: nothing changes in it; `user/sign-up.repeated` lets the background
 *   decide what its owner gets. The typed password's hash and the avatar file are dropped (the file
 *   after the response).
 */
export async function acceptSignUp(input: SignUpInput & { avatar?: Buffer | null }): Promise<SignUpAccepted> {
  if (input.avatar) await checkAvatar(input.avatar);
  const hashStarted = performance.now();
  const passwordHash = await hashPassword(input.password);
  const hashMs = performance.now() - hashStarted;
  const attemptId = randomUUID();
  const userId = randomUUID();
  const uploadId = input.avatar ? randomUUID() : null;

  if (input.avatar && uploadId) await storage().put(avatarKeys.original(userId, uploadId), input.avatar);
  const dropUploads = () => (uploadId ? storage().deleteFolder(avatarKeys.folder(userId)).catch(() => {}) : Promise.resolve());
  try {
    const { created, outboxIds } = await db.$transaction(async (tx) => {
      const inserted = await tx.$queryRaw<{ id: string }[]>`
        insert into users (id, email, name, password_hash, avatar_status, avatar_upload_id)
        values (${userId}::uuid, ${input.email}, ${input.name}, ${passwordHash},
                ${uploadId ? "PROCESSING" : "NONE"}::"AvatarStatus", ${uploadId}::uuid)
        on conflict (email) do nothing
        returning id`;
      const created = inserted.length === 1;
      await tx.signUpAttempt.create({ data: { id: attemptId, email: input.email }, select: { id: true } });
      const outboxIds = await enqueue(tx, [
        created ? { name: userAccountCreated.name, data: { userId, attemptId } } : { name: userSignUpRepeated.name, data: { attemptId, email: input.email } },
      ]);
      return { created, outboxIds };
    });
    return { attemptId, email: input.email, outboxIds, hashMs, afterResponse: created ? async () => {} : dropUploads };
  } catch (error) {
    await dropUploads();
    throw error;
  }
}

/**
 * "Send the link again": an attempt row and the event, in one transaction. What is sent (if
 * anything) is decided in the background (lib/accounts/sign-up-email.ts).
 */
export async function recordEmailRequest(email: string, attemptId: string): Promise<string[]> {
  return db.$transaction(async (tx) => {
    await tx.signUpAttempt.create({ data: { id: attemptId, email }, select: { id: true } });
    return enqueue(tx, [{ name: userVerificationEmailRequested.name, data: { attemptId, email } }]);
  });
}
