import type { AvatarStatus } from "@/lib/generated/prisma/client";
import { userAvatarUploaded, userEmailVerified } from "@/inngest/events";
import type { OutboxMessage } from "@/lib/outbox/relay";

/**
 * What an address becoming verified starts, whoever verified it (the person through their link,
 * an operator through `npm run admin:create`): the welcome email — and an avatar upload that was
 * waiting for the verified address. Written to the outbox in the transaction that sets
 * `emailVerifiedAt`; without it an account verified any other way would show its welcome email as
 * "Queued…" for ever.
 */
export function verifiedEvents(user: { id: string; avatarStatus: AvatarStatus; avatarUploadId: string | null }): OutboxMessage[] {
  const messages: OutboxMessage[] = [{ name: userEmailVerified.name, data: { userId: user.id } }];
  if (user.avatarStatus === "PROCESSING" && user.avatarUploadId) messages.push({ name: userAvatarUploaded.name, data: { userId: user.id, uploadId: user.avatarUploadId } });
  return messages;
}

/** The columns verification sets, in the same transaction: verified, and the welcome email asked for now. */
export const verifiedColumns = (now: Date) => ({ emailVerifiedAt: now, welcomeRequestedAt: now });
