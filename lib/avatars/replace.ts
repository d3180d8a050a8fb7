import "server-only";
import { randomUUID } from "node:crypto";
import { userAvatarUploaded } from "@/inngest/events";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { checkAvatar } from "@/lib/avatars/images";
import { AVATAR_FUNCTION_ID } from "@/lib/avatars/resize";
import { avatarKeys, storage } from "@/lib/avatars/storage";
import { resolveOwnLetter } from "@/lib/dead-letters/owner-retry";
import { enqueue } from "@/lib/outbox/relay";

/**
 * "Choose another image" on the account page (also when the last one failed): the file is judged
 * by its bytes as at sign-up, its original stored under a new upload id, and in one transaction
 * the account points at it (processing, attempt count from zero), the person's open dead letter
 * for the image that failed is resolved (its input is gone), and `user/avatar.uploaded` is written
 * to the outbox. A run still busy with the old upload skips it as superseded.
 */
export async function replaceAvatar(person: { id: string; email: string }, data: Buffer): Promise<{ outboxIds: string[] }> {
  await checkAvatar(data);
  const uploadId = randomUUID();
  await storage().put(avatarKeys.original(person.id, uploadId), data);
  try {
    return await db.$transaction(async (tx) => {
      const { count } = await tx.user.updateMany({
        where: { id: person.id, emailVerifiedAt: { not: null } },
        data: { avatarUploadId: uploadId, avatarStatus: "PROCESSING", avatarFailedAttempts: 0 },
      });
      if (count === 0) throw new AppError("conflict", "Confirm your email address first: your avatar is processed once it is confirmed.");
      await resolveOwnLetter(tx, AVATAR_FUNCTION_ID, person, "The person chose another image.");
      return { outboxIds: await enqueue(tx, [{ name: userAvatarUploaded.name, data: { userId: person.id, uploadId } }]) };
    });
  } catch (error) {
    await storage().deleteFolder(`${avatarKeys.folder(person.id)}/${uploadId}`).catch(() => {});
    throw error;
  }
}
