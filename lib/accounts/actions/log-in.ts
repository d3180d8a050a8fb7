"use server";
import { redirect } from "next/navigation";
import { formAction } from "@/lib/safe-action";
import { logInSchema, safeNextPath } from "@/lib/accounts/schemas";
import { authenticate } from "@/lib/accounts/authenticate";
import { startSession } from "@/lib/accounts/current-user";
import { clientSubject } from "@/lib/accounts/client-ip";
import { setPendingSignUp } from "@/lib/accounts/pending-sign-up";

export const logInAction = formAction({
  access: "PUBLIC",
  schema: logInSchema,
  echo: ["email", "next"],
  async run(input) {
    const user = await authenticate(input.email, input.password, await clientSubject());
    if (!user.emailVerified) {
      // The right password for an account still waiting for its link: no session yet. Only whoever
      // knows the password learns the account exists; they see what is pending and can resend.
      await setPendingSignUp({ email: user.email, attemptId: null });
      redirect("/signup/check-inbox");
    }
    await startSession(user);
    redirect(safeNextPath(input.next));
  },
});
