"use server";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { formAction } from "@/lib/safe-action";
import { parseFilter } from "@/lib/dead-letters/filters";
import { startBulkAction } from "@/lib/dead-letters/manage";
import { AppError } from "@/lib/errors";
import { relayOutbox } from "@/lib/outbox/relay";
import { bulkActionSchema } from "@/lib/dead-letters/schemas";

/** Confirmed on the page that showed the count: queue it and go watch its progress. */
export const startBulkActionAction = formAction({
  access: "ADMIN",
  schema: bulkActionSchema,
  echo: ["note"],
  async run(input, { user }) {
    const { filter, ignored } = parseFilter(input);
    if (ignored.length) throw new AppError("unprocessable", `The filter has invalid values (${ignored.join(", ")}). Go back and check it.`);
    const bulk = await startBulkAction(input.kind === "retry" ? "RETRY" : "RESOLVE", { ...filter, ids: input.ids }, user, input.note);
    after(() => relayOutbox({ ids: bulk.outboxIds }));
    redirect(`/admin/dead-letters/bulk/${bulk.id}`);
  },
});
