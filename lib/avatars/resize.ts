import "server-only";
import { NonRetriableError } from "inngest";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { renderAvatar } from "@/lib/avatars/images";
import { AVATAR_SIZES, avatarKeys, storage } from "@/lib/avatars/storage";

/** The function avatars are processed in (its dead letters carry this id, maybe app-prefixed). */
export const AVATAR_FUNCTION_ID = "user.avatar-process";

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

/**
 * An admin retried the avatar's dead letter: the upload it failed on — if it is still the person's
 * — shows as processing again, attempts from zero, while the new run works; a run that fails again
 * marks it failed through the function's onFailure. Returns 0 when there was nothing to reopen.
 */
export async function reprocessFailedAvatar(tx: Prisma.TransactionClient, userId: string, uploadId: string): Promise<number> {
  const { count } = await tx.user.updateMany({ where: { id: userId, avatarUploadId: uploadId, avatarStatus: "FAILED" }, data: { avatarStatus: "PROCESSING", avatarFailedAttempts: 0 } });
  return count;
}
