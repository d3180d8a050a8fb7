import "server-only";
import { db } from "@/lib/db";
import { avatarKeys, storage, type AvatarSize } from "@/lib/avatars/storage";

export async function getProcessedAvatar(userId: string, uploadId: string, size: AvatarSize): Promise<Buffer | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { avatarStatus: true, avatarUploadId: true } });
  if (!user || user.avatarStatus !== "READY" || user.avatarUploadId !== uploadId) return null;
  return storage().get(avatarKeys.sized(userId, uploadId, size));
}
