"use server";
import { randomUUID } from "node:crypto";
import { after } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { formAction } from "@/lib/safe-action";
import { clientSubject } from "@/lib/accounts/client-ip";
import { resendLimits } from "@/lib/accounts/limits";
import { getPendingSignUp, setPendingSignUp } from "@/lib/accounts/pending-sign-up";
import { enforceLimits } from "@/lib/accounts/rate-limit";
import { recordEmailRequest } from "@/lib/accounts/registration";
import { relayOutbox } from "@/lib/outbox/relay";

/**
 * "Send the link again" on the check-your-inbox page, for the address in the pending sign-up
 * cookie. Limited per address and per client; answered the same whatever the address is (what is
 * sent, if anything, is decided in the background).
 */
export const resendVerificationAction = formAction({
  access: "PUBLIC",
  schema: z.object({}),
  async run() {
    const pending = await getPendingSignUp();
    if (!pending) throw new AppError("bad_request", "This sign-up has expired. Log in, or sign up again, to get a new link.");
    await enforceLimits(resendLimits(await clientSubject(), pending.email));
    const attemptId = randomUUID();
    const outboxIds = await recordEmailRequest(pending.email, attemptId);
    await setPendingSignUp({ email: pending.email, attemptId });
    after(() => relayOutbox({ ids: outboxIds }));
    return { ok: true, message: `We're sending a new email to ${pending.email}.` };
  },
});
