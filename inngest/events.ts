// Event names and payloads, one place. The SDK validates incoming events against these schemas,
// and handlers still re-read everything else from the database (payloads carry ids, not state).
import { eventType } from "inngest";
import { z } from "zod";
import { SCHEDULES } from "@/lib/schedules/definitions";

/** Set when an admin retries a dead letter: the run that succeeds resolves that letter. */
const retryMarker = { deadLetterId: z.uuid().optional() };

export const userSignedUp = eventType("user.signed-up", {
  schema: z.object({ userId: z.uuid(), ...retryMarker }),
});

export const avatarUploaded = eventType("user.avatar-uploaded", {
  schema: z.object({ userId: z.uuid(), uploadId: z.uuid(), ...retryMarker }),
});

/** An admin confirmed "retry/resolve all matching": work through it in the background. */
export const bulkActionRequested = eventType("admin/dead-letters.bulk-requested", {
  schema: z.object({ bulkActionId: z.uuid() }),
});

/** Manual trigger for the outbox sweeper (besides its cron). */
export const outboxSweepRequested = eventType(SCHEDULES.outboxSweep.runEvent, {
  schema: z.object({}),
});

export type OutboxEventName = typeof userSignedUp.name | typeof avatarUploaded.name | typeof bulkActionRequested.name;

// Scheduled jobs: each cron function also accepts its manual "run now" event (names in lib/schedules.ts).
const runRequested = z.object({ requestedBy: z.string().optional(), ...retryMarker });
export const purgeExpiredRequested = eventType(SCHEDULES.purgeExpired.runEvent, { schema: runRequested });
export const purgeResolvedDeadLettersRequested = eventType(SCHEDULES.purgeResolvedDeadLetters.runEvent, { schema: runRequested });
export const weeklyDigestRequested = eventType(SCHEDULES.weeklyDigest.runEvent, { schema: runRequested });
export const staleDeadLetterAlertRequested = eventType(SCHEDULES.staleDeadLetterAlert.runEvent, { schema: runRequested });

/** One member's digest for one ISO week; the fan-out gives it the id `digest-<week>-<userId>`. */
export const digestSendRequested = eventType("digest/send.requested", {
  schema: z.object({ userId: z.uuid(), week: z.string().regex(/^\d{4}-W\d{2}$/), ...retryMarker }),
});
