// Event names and payloads, one place. The SDK validates incoming events against these schemas,
// and handlers still re-read everything else from the database (payloads carry ids, not state).
import { eventType } from "inngest";
import { z } from "zod";

/** Set when an admin retries a dead letter: the run that succeeds resolves that letter. */
const retryMarker = { deadLetterId: z.uuid().optional() };

export const userSignedUp = eventType("user.signed-up", {
  schema: z.object({ userId: z.uuid(), ...retryMarker }),
});

export const avatarUploaded = eventType("user.avatar-uploaded", {
  schema: z.object({ userId: z.uuid(), uploadId: z.uuid(), ...retryMarker }),
});

/** Manual trigger for the outbox sweeper (besides its cron). */
export const outboxSweepRequested = eventType("outbox/sweep.requested", {
  schema: z.object({}),
});

export type OutboxEventName = typeof userSignedUp.name | typeof avatarUploaded.name;
