"use server";
import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/safe-action";
import { digestPreferenceSchema } from "@/lib/digest/schemas";
import { setDigestOptOut } from "@/lib/digest/subscription";

/** The signed-in person turns their own weekly digest on or off. */
export const setDigestPreferenceAction = formAction({
  access: "ANY",
  schema: digestPreferenceSchema,
  async run({ digest }, { user }) {
    await setDigestOptOut(user.id, digest === "off");
    revalidatePath("/account");
    return { ok: true, message: digest === "off" ? "You won't get the weekly digest any more." : "You'll get the weekly digest on Mondays." };
  },
});
