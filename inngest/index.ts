import { alertStaleDeadLettersFn } from "@/inngest/functions/alert-stale-dead-letters";
import { emailVerificationFn } from "@/inngest/functions/email-verification";
import { processAvatarFn } from "@/inngest/functions/process-avatar";
import { processBulkActionFn } from "@/inngest/functions/process-bulk-action";
import { purgeExpiredFn } from "@/inngest/functions/purge-expired";
import { purgeResolvedDeadLettersFn } from "@/inngest/functions/purge-resolved-dead-letters";
import { sendDigestFn } from "@/inngest/functions/send-digest";
import { sendDigestBatchFn } from "@/inngest/functions/send-digest-batch";
import { sendSignUpEmailFn } from "@/inngest/functions/send-sign-up-email";
import { sendWelcomeEmailFn } from "@/inngest/functions/send-welcome-email";
import { sweepOutboxFn } from "@/inngest/functions/sweep-outbox";
import { weeklyDigestFn } from "@/inngest/functions/weekly-digest";

/** Every function the app serves at /api/inngest. */
export const functions = [sendWelcomeEmailFn, processAvatarFn, sweepOutboxFn, processBulkActionFn,
  // Sign-up: the verification's life (link, wait, reminder, deletion) and the emails a repeated sign-up or a resend asks for.
  emailVerificationFn, sendSignUpEmailFn,
  // Scheduled jobs (lib/schedules/definitions.ts), the digest's batches and its one-member send (a refused member's retry).
  purgeExpiredFn, purgeResolvedDeadLettersFn, weeklyDigestFn, sendDigestBatchFn, sendDigestFn, alertStaleDeadLettersFn];
