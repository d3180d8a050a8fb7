import { processAvatarFn } from "@/inngest/functions/process-avatar";
import { sendWelcomeEmailFn } from "@/inngest/functions/send-welcome-email";
import { sweepOutboxFn } from "@/inngest/functions/sweep-outbox";

/** Every function the app serves at /api/inngest. */
export const functions = [sendWelcomeEmailFn, processAvatarFn, sweepOutboxFn];
