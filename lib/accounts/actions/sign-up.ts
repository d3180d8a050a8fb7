"use server";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { formAction } from "@/lib/safe-action";
import { signUpSchema } from "@/lib/accounts/schemas";
import { avatarFrom } from "@/lib/accounts/sign-up-request";
import { relayOutbox } from "@/lib/outbox/relay";
import { acceptSignUp } from "@/lib/accounts/registration";
import { clientSubject } from "@/lib/accounts/client-ip";
import { enforceLimits } from "@/lib/accounts/rate-limit";
import { signUpLimits } from "@/lib/accounts/limits";
import { setPendingSignUp } from "@/lib/accounts/pending-sign-up";

/**
 * The browser's sign-up: within the limits, the same answer for every address — a pending
 * sign-up cookie and the "check your inbox" page, whose progress follows the email the background
 * sends (a verification link, or an existing owner's notice). Nobody is logged in until the link is used.
 */
export const signUpAction = formAction({
  access: "PUBLIC",
  schema: signUpSchema,
  echo: ["name", "email"],
  async run(input, { formData }) {
    await enforceLimits(signUpLimits(await clientSubject(), input.email));
    const accepted = await acceptSignUp({ ...input, avatar: await avatarFrom(formData.get("avatar")) });
    await setPendingSignUp({ email: accepted.email, attemptId: accepted.attemptId });
    after(async () => {
      await relayOutbox({ ids: accepted.outboxIds });
      await accepted.afterResponse();
    });
    redirect("/signup/check-inbox");
  },
});
