"use server";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { formAction } from "@/lib/safe-action";
import { signUpSchema } from "@/lib/accounts/schemas";
import { setSessionCookie } from "@/lib/accounts/current-user";
import { avatarFrom } from "@/lib/accounts/sign-up-request";
import { relayOutbox } from "@/lib/outbox/relay";
import { registerUser } from "@/lib/accounts/registration";

/** The browser's sign-up: commits user, session and outbox, then hands off to the background. */
export const signUpAction = formAction({
  access: "PUBLIC",
  schema: signUpSchema,
  echo: ["name", "email"],
  async run(input, { formData }) {
    const registration = await registerUser({ ...input, avatar: await avatarFrom(formData.get("avatar")) });
    await setSessionCookie(registration.sessionToken, registration.sessionExpiresAt);
    after(() => relayOutbox({ ids: registration.outboxIds }));
    redirect("/account");
  },
});
