"use server";
import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/safe-action";
import { reopenDeadLetter } from "@/lib/dead-letters/manage";
import { reopenDeadLetterSchema } from "@/lib/dead-letters/schemas";

export const reopenDeadLetterAction = formAction({
  access: "ADMIN",
  schema: reopenDeadLetterSchema,
  async run({ id, note }, { user }) {
    await reopenDeadLetter(id, user, note || undefined);
    revalidatePath(`/admin/dead-letters/${id}`);
    return { ok: true, message: "Reopened." };
  },
});
