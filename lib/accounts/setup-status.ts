import "server-only";
import { db } from "@/lib/db";
import { avatarUrl } from "@/lib/avatars/renditions";
import { retryingAttempt } from "@/lib/accounts/setup-attempts";

/** A job that is retrying: the attempt under way (or waiting for its backoff) and how many there can be. */
export type Retrying = { attempt: number; of: number } | null;

export type SetupStatus = {
  welcomeEmail: "queued" | "sent" | "failed";
  welcomeEmailRetrying: Retrying;
  avatar: "none" | "processing" | "ready" | "failed";
  avatarRetrying: Retrying;
  avatarUrl: string | null;
  avatarThumbUrl: string | null;
  done: boolean;
};

/** What the person watches on their account page while the background work runs. */
export async function getSetupStatus(userId: string): Promise<SetupStatus | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, welcomeEmailStatus: true, avatarStatus: true, avatarUploadId: true, welcomeEmailFailedAttempts: true, avatarFailedAttempts: true },
  });
  if (!user) return null;
  const welcomeEmail = user.welcomeEmailStatus.toLowerCase() as SetupStatus["welcomeEmail"];
  const avatar = user.avatarStatus.toLowerCase() as SetupStatus["avatar"];
  return {
    welcomeEmail,
    welcomeEmailRetrying: welcomeEmail === "queued" ? retryingAttempt(user.welcomeEmailFailedAttempts) : null,
    avatar,
    avatarRetrying: avatar === "processing" ? retryingAttempt(user.avatarFailedAttempts) : null,
    avatarUrl: avatarUrl(user, 256),
    avatarThumbUrl: avatarUrl(user, 64),
    done: welcomeEmail !== "queued" && avatar !== "processing",
  };
}
