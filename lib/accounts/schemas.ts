// Shared by the forms (for attributes) and the server (for parsing). Messages are for people.
import { z } from "zod";
import { plainText } from "@/lib/text";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200; // bounds hashing work per request
export const NAME_MAX = 100;
export const EMAIL_MAX = 254; // RFC 5321 path limit

export const emailSchema = z
  .string({ error: "Enter your email address" })
  .trim()
  .toLowerCase()
  .min(1, "Enter your email address")
  .max(EMAIL_MAX, `Email must be at most ${EMAIL_MAX} characters`)
  .pipe(z.email("Enter a valid email address, like name@example.com"));

export const signUpSchema = z.object({
  name: plainText(
    z
      .string({ error: "Enter your name" })
      .trim()
      .min(1, "Enter your name")
      .max(NAME_MAX, `Name must be at most ${NAME_MAX} characters`),
    "Your name",
  ),
  email: emailSchema,
  password: z
    .string({ error: "Choose a password" })
    .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
    .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`),
});

export const logInSchema = z.object({
  email: emailSchema,
  password: z
    .string({ error: "Enter your password" })
    .min(1, "Enter your password")
    .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`),
  next: z.string().optional(),
});

export type SignUpInput = z.infer<typeof signUpSchema>;
export type LogInInput = z.infer<typeof logInSchema>;

const NEXT_BASE = "http://next-path.invalid";

/**
 * Where to go after logging in: a path on this site, or `fallback`. Anything a browser could read
 * as another origin is refused: `//evil.example`, `/\evil.example` (browsers read `\` as `/`),
 * control characters (browsers drop a TAB or newline, so `/<TAB>/evil.example` becomes
 * `//evil.example`), schemes (`https:`, `javascript:`), and paths whose dot segments normalise to
 * `//` (`/.//evil.example`). The answer is the URL parser's own serialisation of the path, so
 * what is checked is what is sent in `Location`.
 */
export function safeNextPath(next: string | undefined | null, fallback = "/account"): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2000) return fallback;
  if (!next.startsWith("/") || next.startsWith("//")) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, NEXT_BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== NEXT_BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return fallback;
  return path;
}

/** Admin tool: sign one person out everywhere. */
export const revokeSessionsSchema = z.object({ userId: z.uuid("Unknown user") });

/** What a person is told about a verification link that does not work. */
export const LINK_PROBLEMS = {
  invalid: "This link isn't valid. Copy the whole link from the email, or log in to get a new one.",
  expired: "This link has expired. Log in to get a new one.",
  used: "This link has already been used. Log in with your email and password.",
} as const;
