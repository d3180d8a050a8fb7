import { z } from "zod";
import { plainText } from "@/lib/text";

const id = z.uuid("That dead letter does not exist.");
const note = plainText(
  z
    .string({ error: "Say why this is resolved." })
    .trim()
    .min(3, "Say why this is resolved (at least 3 characters).")
    .max(2000, "Keep the note under 2000 characters."),
  "The note",
  { multiline: true },
);
const optionalNote = plainText(z.string().trim().max(2000, "Keep the note under 2000 characters."), "The note", { multiline: true }).optional();

export const retryDeadLetterSchema = z.object({
  id,
  /** Set by the confirmation shown for a permanent failure (see PERMANENT_ERRORS). */
  confirmPermanent: z.literal("yes").optional(),
});

/** Errors a step throws to say "retrying will not help": a retry of one asks first. */
export const PERMANENT_ERRORS = ["NonRetriableError"] as const;
export const isPermanentError = (errorName: string) => (PERMANENT_ERRORS as readonly string[]).includes(errorName);
export const resolveDeadLetterSchema = z.object({ id, note });
export const reopenDeadLetterSchema = z.object({ id, note: optionalNote });

export const bulkActionSchema = z.object({
  kind: z.enum(["retry", "resolve"], { error: "Choose retry or resolve." }),
  note: optionalNote,
  status: z.string().optional(),
  functionId: z.string().optional(),
  q: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  userId: z.string().optional(),
  group: z.string().optional(),
  /** Comma-separated ids of selected rows, when acting on a selection. */
  ids: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").filter(Boolean) : undefined))
    .pipe(z.array(z.uuid("The selection contains an unknown id.")).max(500, "Select at most 500 rows.").optional()),
});
