"use server";
import { redirect } from "next/navigation";
import { formAction } from "@/lib/safe-action";
import { logInSchema, safeNextPath } from "@/lib/schemas/auth";
import { authenticate } from "@/lib/auth/authenticate";
import { startSession } from "@/lib/auth/session";
import { clientIp } from "@/lib/request";

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
