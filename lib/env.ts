// The one place that reads process.env. Parsed on first use (so `next build` needs no runtime
// secrets) and at server start from instrumentation.ts, so a bad variable fails at start, by name.
import { z } from "zod";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A rate limit written as `<count>/<window>`: `5/15m`, `200/1h`, `3/1d`. */
export type RateLimitPolicy = { limit: number; windowMs: number; text: string };

const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx): RateLimitPolicy => {
      const match = /^\s*(\d+)\s*\/\s*(\d+)\s*(s|m|h|d)\s*$/.exec(text);
      if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
        ctx.addIssue({ code: "custom", message: "must be <count>/<window>, such as 5/15m or 200/1h (units s, m, h, d)" });
        return z.NEVER;
      }
      return { limit: Number(match[1]), windowMs: Number(match[2]) * UNIT_MS[match[3] as keyof typeof UNIT_MS], text: text.trim() };
    });

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string({ error: "is required (a postgresql:// URL)" })
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgresql:// URL"),
  /** Public origin of the app; https turns on Secure cookies. */
  APP_URL: z.url("must be a URL such as http://localhost:3000").default("http://localhost:3000"),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Admins' sessions end sooner than members' (a stolen admin cookie is worth more). */
  ADMIN_SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /**
   * How many reverse proxies in front of the app append to x-forwarded-for (and are the only way
   * in). 0: the app faces clients itself and uses the socket's address. See lib/accounts/client-address.ts.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** A verification link works this long (and once). */
  VERIFICATION_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 14).default(48),
  /** Without a verification by then, one reminder (with a fresh link) goes out. */
  VERIFICATION_REMINDER_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  /** Accounts never verified are deleted (with their uploads) this many days after sign-up. */
  UNVERIFIED_ACCOUNT_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  // Rate limits, `<count>/<window>` (fixed windows, kept in the database; lib/accounts/limits.ts).
  /** Sign-ups from one client address (an IPv6 /64 counts as one). */
  RATE_LIMIT_SIGN_UP_PER_CLIENT: rateLimit("5/1h"),
  /** Sign-ups from everyone together: a ceiling on the mail a burst of sign-ups can send. */
  RATE_LIMIT_SIGN_UP_GLOBAL: rateLimit("300/1h"),
  /** Sign-up emails (sign-ups and "send the link again") for one address, whoever asks. */
  RATE_LIMIT_SIGN_UP_EMAIL_PER_ADDRESS: rateLimit("3/1h"),
  /** "Send the link again" from one client address. */
  RATE_LIMIT_VERIFICATION_RESEND_PER_CLIENT: rateLimit("10/1h"),
  /** Log-in attempts for one account from one client (cleared by a successful log-in). */
  RATE_LIMIT_LOG_IN_PER_ACCOUNT_CLIENT: rateLimit("5/15m"),
  /** Log-in attempts for one account from any client: guessing spread over many addresses. */
  RATE_LIMIT_LOG_IN_PER_ACCOUNT: rateLimit("20/1h"),
  /** Log-in attempts from one client for any account: one password sprayed over many accounts. */
  RATE_LIMIT_LOG_IN_PER_CLIENT: rateLimit("30/15m"),
  /** Where uploaded originals and processed avatars live (see lib/avatars/storage.ts). */
  DATA_DIR: z.string().min(1).default(".data/files"),
  /** Resend: the real API in production; the local mail catcher (RESEND_BASE_URL) otherwise. */
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: z.url("must be a URL such as http://127.0.0.1:4010").optional(),
  MAIL_FROM: z.string().min(3).default("Signup Jobs <hello@signup-jobs.example>"),
  /** The outbox sweeper re-sends rows left unsent this long (ms). */
  OUTBOX_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(60_000),
  /** Signs unsubscribe and verification links and the pending sign-up cookie (HMAC). Required in production; a fixed dev value otherwise. */
  APP_SECRET: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -hex 32)").optional(),
  /** Resolved dead letters older than this many days are purged nightly. */
  DEAD_LETTER_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** Local executor URL (the engine, or `inngest dev`); unset in production. */
  INNGEST_DEV: z.string().optional(),
  INNGEST_EVENT_KEY: z.string().optional(),
  INNGEST_SIGNING_KEY: z.string().optional(),
});

export type Env = z.infer<typeof schema>;

let parsed: Env | undefined;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

/**
 * What the running server needs beyond well-formed values (command-line tools such as
 * admin:create need only the database). Checked by instrumentation.ts at start.
 */
export function serverRequirements(env: Env): string[] {
  const missing: string[] = [];
  if (!env.RESEND_API_KEY && !env.RESEND_BASE_URL) missing.push("RESEND_API_KEY: is required unless RESEND_BASE_URL points at a local mail catcher");
  // Outside dev mode the Inngest SDK needs both keys; without them every call fails at run time.
  if (env.NODE_ENV === "production" && !env.INNGEST_DEV) {
    for (const key of ["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"] as const) {
      if (!env[key]) missing.push(`${key}: is required when INNGEST_DEV is not set`);
    }
  }
  if (env.NODE_ENV === "production" && !env.APP_SECRET) missing.push("APP_SECRET: is required in production (it signs unsubscribe links)");
  return missing;
}

/** Development and test only: production refuses to start without APP_SECRET (serverRequirements). */
const DEV_APP_SECRET = "dev-only-app-secret-not-for-production-use";

export function appSecret(): string {
  if (env.APP_SECRET) return env.APP_SECRET;
  if (env.NODE_ENV === "production") throw new Error("APP_SECRET is not set");
  return DEV_APP_SECRET;
}

export function loadServerEnv(source: Record<string, string | undefined> = process.env): Env {
  const env = loadEnv(source);
  const missing = serverRequirements(env);
  if (missing.length) throw new Error(`Invalid environment:\n${missing.map((m) => `  ${m}`).join("\n")}`);
  return env;
}

/** Typed, validated settings; the first property read parses the environment. */
export const env: Env = new Proxy({} as Env, {
  get(_target, key) {
    parsed ??= loadEnv();
    return parsed[key as keyof Env];
  },
});
