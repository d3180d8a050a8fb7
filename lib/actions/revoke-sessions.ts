"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/safe-action";
import { deleteUserSessions } from "@/lib/data/sessions";
import { findUserById } from "@/lib/data/users";
import { AppError } from "@/lib/errors";

/** Admin tool: sign a user out of every device (a stolen cookie stops working at once). */
export const revokeSessionsAction = formAction({
  access: "ADMIN",
  schema: z.object({ userId: z.uuid("Unknown user") }),
  async run({ userId }) {
    const user = await findUserById(userId);
    if (!user) throw new AppError("not_found", "That user no longer exists.");
    const count = await deleteUserSessions(userId);
    revalidatePath("/admin");
    return { ok: true, message: `Signed ${user.email} out of ${count} session${count === 1 ? "" : "s"}.` };
  },
});
