// Every event the app sends or listens to, in one grammar (docs/decisions/2026-11-30-event-names.md):
//
//   <domain>/<noun>.<verb>        e.g. user/account.created, dead-letters/bulk-action.requested
//
// - domain: the area that owns the event (user, dead-letters, digest, maintenance, outbox);
//   lower-case, kebab-case.
// - noun: the thing it is about, kebab-case (account, avatar, sign-up, bulk-action, email).
// - verb: past tense. A fact that happened (`created`, `uploaded`, `verified`), or `requested` for work
//   someone asked for. A scheduled job's "Run now" event is its function id with the domain
//   cut off by `/` and `.requested` added: `maintenance.purge-expired` → `maintenance/purge-expired.requested`.
//
// Names are stored (outbox rows, dead letters that a Retry re-sends), so renaming one needs a
// migration of the stored rows and an entry in RENAMED_EVENTS.
//
// The SDK validates incoming events against these schemas, and handlers still re-read everything
// else from the database (payloads carry ids, not state).
import { eventType } from "inngest";
import { z } from "zod";

/** Set when an admin retries a dead letter: the run that succeeds resolves that letter. */
const retryMarker = { deadLetterId: z.uuid().optional() };

/**
 * Someone signed up with an address that had no account: the account exists, unverified, and
 * user.email-verification sends the link, waits for it to be used, reminds once, and deletes the
 * account if it never is. `attemptId` is the sign-up the person watches on "check your inbox".
 */
export const userAccountCreated = eventType("user/account.created", {
  schema: z.object({ userId: z.uuid(), attemptId: z.uuid().optional(), ...retryMarker }),
});

/** Someone signed up with an address that already has an account: its owner may get a notice. */
export const userSignUpRepeated = eventType("user/sign-up.repeated", {
  schema: z.object({ attemptId: z.uuid(), email: z.string().min(3).max(254), ...retryMarker }),
});

/** "Send the link again" from the check-your-inbox page. */
export const userVerificationEmailRequested = eventType("user/verification-email.requested", {
  schema: z.object({ attemptId: z.uuid(), email: z.string().min(3).max(254), ...retryMarker }),
});

/** The person opened their verification link: the welcome email goes out, waits end. */
export const userEmailVerified = eventType("user/email.verified", {
  schema: z.object({ userId: z.uuid(), ...retryMarker }),
});

/**
 * The person asked for their welcome email again after it failed for good ("Send again" on the
 * account page). Carries the open dead letter's id when there is one, so the run that succeeds
 * resolves it, as an admin's retry would.
 */
export const userWelcomeEmailRequested = eventType("user/welcome-email.requested", {
  schema: z.object({ userId: z.uuid(), ...retryMarker }),
});

/** An avatar upload was stored and its owner verified: its renditions are made. */
export const userAvatarUploaded = eventType("user/avatar.uploaded", {
  schema: z.object({ userId: z.uuid(), uploadId: z.uuid(), ...retryMarker }),
});

/** An admin confirmed "retry/resolve all matching": work through it in the background. */
export const bulkActionRequested = eventType("dead-letters/bulk-action.requested", {
  schema: z.object({ bulkActionId: z.uuid() }),
});

/**
 * One batch (≤ 100 members) of a week's digest, planned by digest.weekly; the fan-out gives it the
 * id `digest-batch-<batchId>`. The members are rows (digest_batch_members), not in the payload.
 */
export const digestBatchRequested = eventType("digest/batch.requested", {
  schema: z.object({ batchId: z.uuid(), week: z.string().regex(/^\d{4}-W\d{2}$/), ...retryMarker }),
});

/**
 * One member's digest for one ISO week, sent alone: a member the batch refused (its dead letter's
 * Retry sends this), or an operator's own request. Skipped if the member already has it.
 */
export const digestEmailRequested = eventType("digest/email.requested", {
  schema: z.object({ userId: z.uuid(), week: z.string().regex(/^\d{4}-W\d{2}$/), ...retryMarker }),
});

// Scheduled jobs: each cron function also accepts its manual "Run now" event
// (lib/schedules/definitions.ts names which event belongs to which job).
const runRequested = z.object({ requestedBy: z.string().optional(), ...retryMarker });
export const purgeExpiredRequested = eventType("maintenance/purge-expired.requested", { schema: runRequested });
export const purgeResolvedDeadLettersRequested = eventType("dead-letters/purge-resolved.requested", { schema: runRequested });
export const weeklyDigestRequested = eventType("digest/weekly.requested", { schema: runRequested });
export const staleDeadLetterAlertRequested = eventType("dead-letters/stale-alert.requested", { schema: runRequested });
/** The outbox sweeper's (its schema has always been empty: see the decision record). */
export const outboxSweepRequested = eventType("outbox/sweep.requested", { schema: z.object({}) });

/** The events that go through the outbox (written in the transaction of the change that causes them). */
export type OutboxEventName =
  | typeof userAccountCreated.name
  | typeof userSignUpRepeated.name
  | typeof userVerificationEmailRequested.name
  | typeof userEmailVerified.name
  | typeof userWelcomeEmailRequested.name
  | typeof userAvatarUploaded.name
  | typeof bulkActionRequested.name;

/**
 * Earlier names of events, and what they are called now. The migration
 * prisma/migrations/20261130203000_event_names renames stored rows; a run still in flight across
 * the upgrade can write a dead letter under an old name afterwards, so a Retry maps it too.
 */
export const RENAMED_EVENTS: Readonly<Record<string, string>> = {
  "user.signed-up": userAccountCreated.name,
  "user.avatar-uploaded": userAvatarUploaded.name,
  "admin/dead-letters.bulk-requested": bulkActionRequested.name,
  "digest/send.requested": digestEmailRequested.name,
  "maintenance.purge-expired/run.requested": purgeExpiredRequested.name,
  "dead-letters.purge-resolved/run.requested": purgeResolvedDeadLettersRequested.name,
  "digest.weekly/run.requested": weeklyDigestRequested.name,
  "dead-letters.stale-alert/run.requested": staleDeadLetterAlertRequested.name,
};

/**
 * Whether a function id as an executor stored it (in a dead letter, a run) is the function `id`:
 * Inngest prefixes it with the app's id ("signup-jobs-user.welcome-email"), the engine may not.
 */
export const isFunction = (storedId: string, id: string) => storedId === id || storedId.endsWith(`-${id}`);

/**
 * Events a function no longer listens to, by function id (as stored in a dead letter, with or
 * without the executor's app prefix), and the one that reaches it today. The welcome email follows
 * `user/email.verified` since sign-up verifies the address (user/account.created now starts the
 * verification); the migration prisma/migrations/20261201120000_verified_accounts moves stored
 * rows, and a welcome run in flight across that upgrade may still write a letter under the old name.
 */
export const RETRIGGERED_EVENTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "user.welcome-email": { [userAccountCreated.name]: userEmailVerified.name },
};

/**
 * An event name as it is called today (a stored name may predate a rename), and — given the
 * function a dead letter is for — the event that reaches that function today.
 */
export function currentEventName(name: string, functionId?: string): string {
  const renamed = RENAMED_EVENTS[name] ?? name;
  const fn = functionId ? Object.keys(RETRIGGERED_EVENTS).find((id) => isFunction(functionId, id)) : undefined;
  return (fn && RETRIGGERED_EVENTS[fn]![renamed]) || renamed;
}
