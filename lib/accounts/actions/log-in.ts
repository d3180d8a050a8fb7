"use server";
import { redirect } from "next/navigation";
import { formAction } from "@/lib/safe-action";
import { logInSchema, safeNextPath } from "@/lib/accounts/schemas";
import { authenticate } from "@/lib/accounts/authenticate";
import { startSession } from "@/lib/accounts/current-user";
import { clientIp } from "@/lib/accounts/client-ip";

export const logInAction = formAction({
  access: "PUBLIC",
  schema: logInSchema,
  echo: ["email", "next"],
  async run(input) {
    const user = await authenticate(input.email, input.password, await clientIp());
    await startSession(user.id);
    redirect(safeNextPath(input.next));
  },
});
