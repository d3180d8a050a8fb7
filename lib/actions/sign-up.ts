"use server";
import { redirect } from "next/navigation";
import { formAction } from "@/lib/safe-action";
import { signUpSchema } from "@/lib/schemas/auth";
import { createUser } from "@/lib/data/users";
import { startSession } from "@/lib/auth/session";

export const signUpAction = formAction({
  access: "PUBLIC",
  schema: signUpSchema,
  echo: ["name", "email"],
  async run(input) {
    const user = await createUser(input);
    await startSession(user.id);
    redirect("/account");
  },
});
