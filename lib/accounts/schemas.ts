// Shared by the forms (for attributes) and the server (for parsing). Messages are for people.
import { z } from "zod";

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
  name: z
    .string({ error: "Enter your name" })
    .trim()
    .min(1, "Enter your name")
    .max(NAME_MAX, `Name must be at most ${NAME_MAX} characters`),
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

/** Only same-site paths: `//evil.example` and absolute URLs would turn login into an open redirect. */
export function safeNextPath(next: string | undefined | null, fallback = "/account"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}

/** Admin tool: sign one person out everywhere. */
export const revokeSessionsSchema = z.object({ userId: z.uuid("Unknown user") });
