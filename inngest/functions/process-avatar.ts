import { inngest } from "@/inngest/client";
import { onFailureRecordDeadLetter, originalEventData, resolveDeadLetterIfRetry } from "@/inngest/dead-letter-hooks";
import { userAvatarUploaded } from "@/inngest/events";
import { countingFailedAttempts, SETUP_RETRIES } from "@/lib/accounts/setup-attempts";
import { AVATAR_FUNCTION_ID, markAvatarFailed, processAvatar } from "@/lib/avatars/resize";

/**
 * user/avatar.uploaded → 256 and 64 px WebP renditions; an unreadable image fails at once. Each
 * failed attempt is counted for the account page ("retrying, attempt 3 of 5").
 */
export const processAvatarFn = inngest.createFunction(
  {
    id: AVATAR_FUNCTION_ID,
    name: "Process avatar",
    triggers: [userAvatarUploaded],
    retries: SETUP_RETRIES,
    concurrency: { key: "event.data.userId", limit: 1 },
    onFailure: onFailureRecordDeadLetter("Process avatar", async (failed, step) => {
      const data = originalEventData(failed, userAvatarUploaded.schema);
      if (data) await step.run("mark-failed", () => markAvatarFailed(data.userId, data.uploadId));
    }),
  },
  async ({ event, step, runId, attempt }) => {
    const { userId, uploadId } = event.data;
    const result = await step.run("resize", () => countingFailedAttempts("avatar", userId, attempt, () => processAvatar(userId, uploadId)));
    await resolveDeadLetterIfRetry(step, event, runId);
    return result;
  },
);
