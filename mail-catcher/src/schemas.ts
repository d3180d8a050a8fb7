// Request bodies, validated the way Resend validates them (as far as a local catcher needs):
// the same required fields, the same `email@example.com` / `Name <…>` address forms, and
// messages in Resend's "Missing `x` field." / "Invalid `x` field." style.
import { z } from "zod";
import { isAddress } from "./addresses";

const ADDRESS_FORMAT = "The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.";
const TAG_PART = /^[A-Za-z0-9_-]{1,256}$/;
const TAG_MESSAGE = "Tag names and values can only contain ASCII letters (a–z, A–Z), numbers (0–9), underscores (_), or dashes (-), and at most 256 characters.";

const address = z.string().refine(isAddress, { error: ADDRESS_FORMAT });

function addressList(max: number) {
  return z
    .union([address, z.array(address).max(max, { error: `At most ${max} addresses are allowed.` })])
    .transform((v) => (Array.isArray(v) ? v : [v]));
}

const attachment = z.object({
  content: z.string().nullish(),
  filename: z.union([z.string(), z.literal(false)]).nullish(),
  path: z.string().nullish(),
  content_type: z.string().nullish(),
  content_id: z.string().nullish(),
});

const baseEmail = z.object({
  from: address,
  to: addressList(50).refine((list) => list.length > 0, { error: "At least one recipient is required." }),
  subject: z.string().nullish(),
  cc: addressList(50).nullish(),
  bcc: addressList(50).nullish(),
  reply_to: addressList(50).nullish(),
  html: z.string().nullish(),
  text: z.string().nullish(),
  headers: z.record(z.string(), z.string()).nullish(),
  tags: z
    .array(
      z.object({
        name: z.string().regex(TAG_PART, { error: TAG_MESSAGE }),
        value: z.string().regex(TAG_PART, { error: TAG_MESSAGE }),
      }),
    )
    .nullish(),
  scheduled_at: z.string().nullish(),
  topic_id: z.string().nullish(),
  template: z.object({ id: z.string().min(1), variables: z.record(z.string(), z.unknown()).optional() }).nullish(),
  attachments: z.array(attachment).nullish(),
});

// Marks issues whose message is already a whole sentence naming the field.
const SENTENCE = { sentence: true };

// Content rules apply to the whole object: a template replaces subject and body, otherwise both
// a subject and at least one body part are needed.
function checkContent(email: z.infer<typeof baseEmail>, ctx: z.RefinementCtx) {
  if (email.template) {
    if (email.html != null || email.text != null) {
      ctx.addIssue({ code: "custom", params: SENTENCE, path: ["template"], message: "`template` cannot be combined with `html` or `text`." });
    }
    return;
  }
  if (email.subject == null) ctx.addIssue({ code: "custom", params: SENTENCE, path: ["subject"], message: "Missing `subject` field." });
  if (email.html == null && email.text == null) {
    ctx.addIssue({ code: "custom", params: SENTENCE, path: ["html"], message: "Missing `html` or `text` field." });
  }
}

export const emailSchema = baseEmail.superRefine(checkContent);

// Resend's batch endpoint takes every field of a single email except `attachments`
// (https://resend.com/docs/api-reference/emails/send-batch-emails, "Limitations").
export const batchEmailSchema = baseEmail.superRefine((email, ctx) => {
  checkContent(email, ctx);
  if (email.attachments?.length) {
    ctx.addIssue({ code: "custom", params: SENTENCE, path: ["attachments"], message: "`attachments` are not supported in batch emails." });
  }
});

export const MAX_BATCH = 100;

export type EmailInput = z.infer<typeof emailSchema>;

/**
 * One readable sentence from the first issue. Our own refinements already carry a full sentence;
 * zod's built-in messages get the field named, in Resend's wording.
 */
export function describeIssue(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request body.";
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const field = formatPath(path);
  if (issue.code === "custom" && issue.params?.sentence) return issue.message;
  if (!field) return `Invalid request body. ${issue.message}.`;
  if (valueAt(input, issue.path) === undefined) return `Missing \`${field}\` field.`;
  // Every union here is "one value or a list of them"; zod's own text ("Invalid input") says nothing.
  if (issue.code === "invalid_union") return `Invalid \`${field}\` field. Expected a string or an array of strings.`;
  return `Invalid \`${field}\` field. ${capitalize(issue.message)}${issue.message.endsWith(".") ? "" : "."}`;
}

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
