"use server";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formAction } from "@/lib/safe-action";
import { endAllSessions } from "@/lib/accounts/current-user";

/** The account page's "sign out everywhere": every session of this person ends, this one too. */
export const signOutEverywhereAction = formAction({
  access: "ANY",
  schema: z.object({}),
  async run(_input, { user }) {
    await endAllSessions(user.id);
    redirect("/login");
  },
});
