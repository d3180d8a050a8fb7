"use server";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { formAction } from "@/lib/safe-action";
import { signUpSchema } from "@/lib/schemas/auth";
import { setSessionCookie } from "@/lib/auth/session";
import { avatarFrom } from "@/lib/http/sign-up-request";
import { relayOutbox } from "@/lib/outbox";
import { registerUser } from "@/lib/signup";

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
