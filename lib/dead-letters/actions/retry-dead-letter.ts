"use server";
import { revalidatePath } from "next/cache";
import { after } from "next/server";
import { formAction } from "@/lib/safe-action";
import { retryDeadLetter } from "@/lib/dead-letters/manage";
import { relayOutbox } from "@/lib/outbox/relay";
import { retryDeadLetterSchema } from "@/lib/dead-letters/schemas";

export const retryDeadLetterAction = formAction({
  access: "ADMIN",
  schema: retryDeadLetterSchema,
  async run({ id, confirmPermanent }, { user }) {
    const outboxId = await retryDeadLetter(id, user, { confirmedPermanent: confirmPermanent === "yes" });
    after(() => relayOutbox({ ids: [outboxId] }));
    revalidatePath(`/admin/dead-letters/${id}`);
    return { ok: true, message: "Retry started. This page updates when it finishes." };
  },
});
