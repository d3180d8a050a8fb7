"use server";
import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/safe-action";
import { resolveDeadLetter } from "@/lib/dead-letters/manage";
import { resolveDeadLetterSchema } from "@/lib/dead-letters/schemas";

export const resolveDeadLetterAction = formAction({
  access: "ADMIN",
  schema: resolveDeadLetterSchema,
  echo: ["note"],
  async run({ id, note }, { user }) {
    await resolveDeadLetter(id, user, note);
    revalidatePath(`/admin/dead-letters/${id}`);
    return { ok: true, message: "Resolved." };
  },
});
