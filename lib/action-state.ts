// Plain module (no server-only): client forms import the state shape and its initial value.
import type { FieldErrors } from "@/lib/errors";

/**
 * What a form says when its action failed on our side (an unexpected error, logged): the answer
 * is a 200 with this message, so the abuse suite looks for it as it looks for a 5xx.
 */
export const INTERNAL_FORM_ERROR = "Something went wrong on our side. Please try again.";

/** The one shape every form action returns. `values` echoes what was typed, never a password. */
export type ActionState = {
  ok: boolean;
  message?: string;
  formError?: string;
  fieldErrors?: FieldErrors;
  values?: Record<string, string>;
};

export const initialActionState: ActionState = { ok: false };
