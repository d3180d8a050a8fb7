import "server-only";
import { NonRetriableError } from "inngest";
import { db } from "@/lib/db";
import { renderAvatar } from "@/lib/avatars/images";
import { AVATAR_SIZES, avatarKeys, storage } from "@/lib/avatars/storage";

export type AvatarResult = { status: "ready" | "skipped"; reason?: string };

/**
 * Resizes one upload. Safe to run any number of times: a finished or superseded upload is skipped,
 * renditions go to fixed keys (a rerun overwrites them with the same bytes), and the READY marker
 * is set only for the upload that is still current.
 */
export async function processAvatar(userId: string, uploadId: string): Promise<AvatarResult> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { avatarStatus: true, avatarUploadId: true } });
  if (!user) return { status: "skipped", reason: "user no longer exists" };
  if (user.avatarUploadId !== uploadId) return { status: "skipped", reason: "superseded by a newer upload" };
  if (user.avatarStatus === "READY") return { status: "skipped", reason: "already processed" };

  const original = await storage().get(avatarKeys.original(userId, uploadId));
  if (!original) throw new NonRetriableError("The uploaded original is missing from storage");

  let renditions: Awaited<ReturnType<typeof renderAvatar>>;
  try {
    renditions = await renderAvatar(original);
  } catch (error) {
    // The same bytes will fail the same way on every retry.
    throw new NonRetriableError(`Unreadable image: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const size of AVATAR_SIZES) await storage().put(avatarKeys.sized(userId, uploadId, size), renditions[size]);

  await db.user.updateMany({ where: { id: userId, avatarUploadId: uploadId }, data: { avatarStatus: "READY" } });
  return { status: "ready" };
}

export async function markAvatarFailed(userId: string, uploadId: string): Promise<void> {
  await db.user.updateMany({ where: { id: userId, avatarUploadId: uploadId, avatarStatus: "PROCESSING" }, data: { avatarStatus: "FAILED" } });
}
