"use server";
import { revalidatePath } from "next/cache";
import { formAction } from "@/lib/safe-action";
import { deleteUserSessions } from "@/lib/accounts/sessions";
import { findUserById } from "@/lib/accounts/users";
import { AppError } from "@/lib/errors";
import { audit } from "@/lib/audit/audit-log";
import { revokeSessionsSchema } from "@/lib/accounts/schemas";

/** Admin tool: sign a user out of every device (a stolen cookie stops working at once). */
export const revokeSessionsAction = formAction({
  access: "ADMIN",
  schema: revokeSessionsSchema,
  async run({ userId }, { user: admin }) {
    const user = await findUserById(userId);
    if (!user) throw new AppError("not_found", "That user no longer exists.");
    const count = await deleteUserSessions(userId);
    await audit({ actor: admin, action: "user.sessions_revoked", targetType: "user", targetId: userId, details: { email: user.email, sessions: count } });
    revalidatePath(`/admin/users/${userId}`);
    return { ok: true, message: `Signed ${user.email} out of ${count} session${count === 1 ? "" : "s"}.` };
  },
});
