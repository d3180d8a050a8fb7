"use server";
import { revalidatePath } from "next/cache";
import { after } from "next/server";
import { z } from "zod";
import { formAction } from "@/lib/safe-action";
import { welcomeEmailAgainLimits } from "@/lib/accounts/limits";
import { enforceLimits } from "@/lib/accounts/rate-limit";
import { requestWelcomeEmailAgain } from "@/lib/accounts/welcome-email";
import { relayOutbox } from "@/lib/outbox/relay";

/**
 * "Send again" on the account page once the welcome email has failed for good. Only its owner can
 * ask, only while it stands failed, and at most RATE_LIMIT_WELCOME_EMAIL_AGAIN_PER_USER times.
 */
export const sendWelcomeEmailAgainAction = formAction({
  access: "ANY",
  schema: z.object({}),
  async run(_input, { user }) {
    await enforceLimits(welcomeEmailAgainLimits(user.id));
    const outboxIds = await requestWelcomeEmailAgain(user);
    after(() => relayOutbox({ ids: outboxIds }));
    revalidatePath("/account");
    return { ok: true, message: `We're sending your welcome email to ${user.email} again.` };
  },
});
