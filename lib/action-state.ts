// Plain module (no server-only): client forms import the state shape and its initial value.
import type { FieldErrors } from "@/lib/errors";

/** The one shape every form action returns. `values` echoes what was typed, never a password. */
export type ActionState = {
  ok: boolean;
  message?: string;
  formError?: string;
  fieldErrors?: FieldErrors;
  values?: Record<string, string>;
};

export const initialActionState: ActionState = { ok: false };
