import "server-only";
import { db } from "@/lib/db";
import { avatarUrl } from "@/lib/avatars/renditions";

export type SetupStatus = {
  welcomeEmail: "queued" | "sent" | "failed";
  avatar: "none" | "processing" | "ready" | "failed";
  avatarUrl: string | null;
  avatarThumbUrl: string | null;
  done: boolean;
};

/** What the person watches on their account page while the background work runs. */
export async function getSetupStatus(userId: string): Promise<SetupStatus | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, welcomeEmailStatus: true, avatarStatus: true, avatarUploadId: true },
  });
  if (!user) return null;
  const welcomeEmail = user.welcomeEmailStatus.toLowerCase() as SetupStatus["welcomeEmail"];
  const avatar = user.avatarStatus.toLowerCase() as SetupStatus["avatar"];
  return {
    welcomeEmail,
    avatar,
    avatarUrl: avatarUrl(user, 256),
    avatarThumbUrl: avatarUrl(user, 64),
    done: welcomeEmail !== "queued" && avatar !== "processing",
  };
}
