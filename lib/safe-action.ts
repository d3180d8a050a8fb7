import "server-only";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import type { Role } from "@/lib/generated/prisma/client";
import { AppError, fieldErrorsOf } from "@/lib/errors";
import type { ActionState } from "@/lib/action-state";
import type { PublicUser } from "@/lib/accounts/users";
import { requireAccess } from "@/lib/accounts/current-user";


type Access = "PUBLIC" | Role | "ANY";

/**
 * Wraps a server action: checks the session and role on the server (an action is a public POST
 * endpoint, whatever page shows its form), parses the form with zod, maps errors to the state
 * shape. `redirect()` and other Next control flow pass through.
 */
export function formAction<S extends z.ZodType>(options: {
  access: Access;
  schema: S;
  /** Fields safe to send back so the form keeps what was typed. */
  echo?: string[];
  /** `formData` is there for files, which the schema does not parse. */
  run: (input: z.output<S>, ctx: { user: PublicUser | null; formData: FormData }) => Promise<ActionState | void>;
}) {
  return async function action(_previous: ActionState, formData: FormData): Promise<ActionState> {
    if (!(formData instanceof FormData)) {
      return { ok: false, formError: "This form could not be read. Reload the page and try again." };
    }
    const raw: Record<string, string> = {};
    for (const [key, value] of formData.entries()) {
      if (!key.startsWith("$ACTION") && typeof value === "string") raw[key] = value;
    }
    const values = Object.fromEntries((options.echo ?? []).filter((k) => k in raw).map((k) => [k, raw[k]!]));

    try {
      const user = options.access === "PUBLIC" ? null : await requireAccess(options.access);
      const parsed = options.schema.safeParse(raw);
      if (!parsed.success) {
        return { ok: false, fieldErrors: fieldErrorsOf(parsed.error), values };
      }
      return (await options.run(parsed.data, { user, formData })) ?? { ok: true };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof AppError) {
        return error.fieldErrors
          ? { ok: false, fieldErrors: error.fieldErrors, values }
          : { ok: false, formError: error.message, values };
      }
      console.error(error);
      return { ok: false, formError: "Something went wrong on our side. Please try again.", values };
    }
  };
}
