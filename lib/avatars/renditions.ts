import "server-only";
import { db } from "@/lib/db";
import { avatarKeys, storage, type AvatarSize } from "@/lib/avatars/storage";

export async function getProcessedAvatar(userId: string, uploadId: string, size: AvatarSize): Promise<Buffer | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { avatarStatus: true, avatarUploadId: true } });
  if (!user || user.avatarStatus !== "READY" || user.avatarUploadId !== uploadId) return null;
  return storage().get(avatarKeys.sized(userId, uploadId, size));
}

/** The URL of a processed rendition, or null while there is none to show. */
export function avatarUrl(user: { id: string; avatarStatus: string; avatarUploadId: string | null }, size: 256 | 64): string | null {
  if (user.avatarStatus !== "READY" || !user.avatarUploadId) return null;
  return `/api/avatars/${user.id}/${user.avatarUploadId}/${size}`;
}
