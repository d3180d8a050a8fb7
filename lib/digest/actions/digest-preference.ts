"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/safe-action";
import { setDigestOptOut } from "@/lib/digest/sending";

/** The signed-in person turns their own weekly digest on or off. */
export const setDigestPreferenceAction = formAction({
  access: "ANY",
  schema: z.object({ digest: z.enum(["on", "off"], "Choose on or off") }),
  async run({ digest }, { user }) {
    await setDigestOptOut(user!.id, digest === "off");
    revalidatePath("/account");
    return { ok: true, message: digest === "off" ? "You won't get the weekly digest any more." : "You'll get the weekly digest on Mondays." };
  },
});
