import "server-only";
import { randomUUID } from "node:crypto";
import { userAccountCreated, userAvatarUploaded } from "@/inngest/events";
import { db } from "@/lib/db";
import { hashPassword } from "@/lib/accounts/password";
import { createSession } from "@/lib/accounts/sessions";
import { asDuplicateEmail } from "@/lib/accounts/users";
import { checkAvatar } from "@/lib/avatars/images";
import { enqueue, type OutboxMessage } from "@/lib/outbox/relay";
import { avatarKeys, storage } from "@/lib/avatars/storage";
import type { SignUpInput } from "@/lib/accounts/schemas";

export type Registration = { userId: string; sessionToken: string; sessionExpiresAt: Date; outboxIds: string[] };

/**
 * The synchronous half of sign-up: everything the 202 promises is durable when this returns — the
 * user, their session and the outbox rows for the background work, in one transaction. The
 * avatar's original is stored first and removed again if the transaction does not commit.
 */
export async function registerUser(input: SignUpInput & { avatar?: Buffer | null }): Promise<Registration> {
  if (input.avatar) await checkAvatar(input.avatar);
  const passwordHash = await hashPassword(input.password);
  const userId = randomUUID();
  const uploadId = input.avatar ? randomUUID() : null;

  if (input.avatar && uploadId) await storage().put(avatarKeys.original(userId, uploadId), input.avatar);
  try {
    return await db.$transaction(async (tx) => {
      await tx.user.create({
        data: {
          id: userId,
          name: input.name,
          email: input.email,
          passwordHash,
          avatarStatus: uploadId ? "PROCESSING" : "NONE",
          avatarUploadId: uploadId,
        },
        select: { id: true },
      });
      const session = await createSession(userId, new Date(), tx);
      const messages: OutboxMessage[] = [{ name: userAccountCreated.name, data: { userId } }];
      if (uploadId) messages.push({ name: userAvatarUploaded.name, data: { userId, uploadId } });
      const outboxIds = await enqueue(tx, messages);
      return { userId, sessionToken: session.token, sessionExpiresAt: session.expiresAt, outboxIds };
    });
  } catch (error) {
    if (uploadId) await storage().delete(avatarKeys.original(userId, uploadId)).catch(() => {});
    throw asDuplicateEmail(error) ?? error;
  }
}
