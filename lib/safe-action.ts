import "server-only";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { AppError, fieldErrorsOf, isDatabaseUnavailable, UNAVAILABLE_MESSAGE } from "@/lib/errors";
import { INTERNAL_FORM_ERROR, type ActionState } from "@/lib/action-state";
import type { PublicUser } from "@/lib/accounts/users";
import type { AccessLevel, AdminUser } from "@/lib/accounts/access";
import { requireAccess } from "@/lib/accounts/current-user";

/** Who may call an action: anyone (PUBLIC), anyone signed in (ANY, USER), or admins (ADMIN). */
export type ActionAccess = "PUBLIC" | AccessLevel;

/** The user an action's access level guarantees: none for PUBLIC, an admin for ADMIN. */
export type ActionUser<A extends ActionAccess> = A extends "PUBLIC" ? null : A extends "ADMIN" ? AdminUser : PublicUser;

async function userFor<A extends ActionAccess>(access: A): Promise<ActionUser<A>> {
  // TypeScript cannot narrow the generic `A` from these checks; requireAccess's overloads give
  // exactly ActionUser<A> for each level.
  if (access === "PUBLIC") return null as ActionUser<A>;
  return (access === "ADMIN" ? await requireAccess("ADMIN") : await requireAccess(access as AccessLevel)) as ActionUser<A>;
}

/**
 * Wraps a server action: checks the session and role on the server (an action is a public POST
 * endpoint, whatever page shows its form), parses the form with zod, maps errors to the state
 * shape. `redirect()` and other Next control flow pass through.
 */
export function formAction<A extends ActionAccess, S extends z.ZodType>(options: {
  access: A;
  schema: S;
  /** Fields safe to send back so the form keeps what was typed. */
  echo?: string[];
  /** `formData` is there for files, which the schema does not parse. */
  run: (input: z.output<S>, ctx: { user: ActionUser<A>; formData: FormData }) => Promise<ActionState | void>;
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
      const user = await userFor(options.access);
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
      if (isDatabaseUnavailable(error)) return { ok: false, formError: UNAVAILABLE_MESSAGE, values };
      console.error(error);
      return { ok: false, formError: INTERNAL_FORM_ERROR, values };
    }
  };
}
