// What a person types is stored in PostgreSQL, whose text refuses U+0000 ("invalid byte sequence
// for encoding UTF8: 0x00"), and Prisma refuses a string holding half of a character (an unpaired
// surrogate, as a string cut inside an emoji leaves) before sending it: either in a name was a 500
// at sign-up. Other control characters are stored fine but nobody means to type them (a pasted
// BEL, a NUL from a script). These checks refuse all of them with a message for the field, before
// anything is written.
import { z } from "zod";

// C0 controls and DEL; `multiline` fields keep tab, line feed and carriage return.
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Half of a surrogate pair: a high one not followed by a low one, or a low one not after a high. */
export const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `schema` refusing what `isPlainText` refuses; `what` starts the message ("Name", "The note"). */
export function plainText(schema: z.ZodString, what: string, options: { multiline?: boolean } = {}): z.ZodString {
  return schema
    .refine((s) => !(options.multiline ? CONTROL_MULTILINE : CONTROL).test(s), `${what} can't contain control characters.`)
    .refine((s) => !UNPAIRED_SURROGATE.test(s), `${what} contains half of a character (such as an emoji cut in two). Type it again.`);
}
