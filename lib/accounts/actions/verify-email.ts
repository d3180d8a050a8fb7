"use server";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { formAction } from "@/lib/safe-action";
import { replaceSessionCookie } from "@/lib/accounts/current-user";
import { clearPendingSignUp } from "@/lib/accounts/pending-sign-up";
import { verifyEmail } from "@/lib/accounts/verification";
import { relayOutbox } from "@/lib/outbox/relay";
import { LINK_PROBLEMS } from "@/lib/accounts/schemas";

/** The button on /verify-email: uses the link, logs this browser in (a new session) and opens the account page. */
export const verifyEmailAction = formAction({
  access: "PUBLIC",
  schema: z.object({ token: z.string({ error: LINK_PROBLEMS.invalid }).min(1, LINK_PROBLEMS.invalid).max(1024, LINK_PROBLEMS.invalid) }),
  async run({ token }) {
    const result = await verifyEmail(token);
    if (!result.ok) throw new AppError("bad_request", LINK_PROBLEMS[result.reason]);
    await replaceSessionCookie(result.session.token, result.session.expiresAt);
    await clearPendingSignUp();
    if (result.outboxIds.length) after(() => relayOutbox({ ids: result.outboxIds }));
    redirect("/account");
  },
});
