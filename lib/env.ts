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

/** Values the Inngest SDK reads as booleans (its `parseAsBoolean`): anything else must be a URL. */
const SDK_TRUE = ["true", "1"];
const SDK_FALSE = ["false", "0"];
const sdkBoolean = (value: string): boolean | undefined => {
  const v = value.trim().toLowerCase();
  return SDK_TRUE.includes(v) ? true : SDK_FALSE.includes(v) ? false : undefined;
};
const isUrl = (value: string) => {
  try {
    new URL(/^https?:\/\//.test(value) ? value : `http://${value}`);
    return true;
  } catch {
    return false;
  }
};

/**
 * An Inngest signing key: `signkey-<env>-<hex>` from Inngest Cloud, or the bare hex a self-hosted
 * server is started with (`openssl rand -hex 32`). The SDK hex-decodes the part after the prefix.
 */
const signingKey = z
  .string()
  .regex(/^(signkey-\w+-)?([0-9a-f]{2}){16,}$/i, "must be hex, optionally prefixed signkey-<env>- (from the Inngest dashboard, or `openssl rand -hex 32` for a self-hosted server)");

const DEV_APP_URL = "http://localhost:3000";

/**
 * The email provider's pace (lib/email/pace.ts). Its own small schema because the Inngest
 * functions' `throttle` is fixed when their modules load (also during `next build`, which has no
 * database URL); the full schema below includes the same fields, so a bad value also fails at start.
 */
const mailPaceSchema = z.object({
  /** The provider's request limit for the whole team (Resend's default: 2 per second, all keys together). */
  RESEND_REQUESTS_PER_SECOND: z.coerce
    .number({ error: "must be a number of requests per second, such as 2" })
    .min(0.1, "must be at least 0.1 requests per second")
    .max(1000, "must be at most 1000 requests per second")
    .default(2),
  /** The largest part of that rate the bulk digest may take; transactional mail always has the rest. */
  RESEND_BULK_SHARE: z.coerce
    .number({ error: "must be a fraction such as 0.5" })
    .gt(0, "must be more than 0 (the digest needs some of the rate)")
    .max(0.9, "must be at most 0.9 (transactional mail needs some of the rate)")
    .default(0.5),
});

export type MailPaceSettings = { requestsPerSecond: number; bulkShare: number };

/** The provider's rate and the bulk share, read alone (see mailPaceSchema). */
export function mailPaceSettings(source: Record<string, string | undefined> = process.env): MailPaceSettings {
  const result = mailPaceSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return { requestsPerSecond: result.data.RESEND_REQUESTS_PER_SECOND, bulkShare: result.data.RESEND_BULK_SHARE };
}


const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string({ error: "is required (a postgresql:// URL)" })
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgresql:// URL"),
  /** Public origin of the app; https turns on Secure cookies. Required in production. */
  APP_URL: z.url("must be a URL such as http://localhost:3000").optional(),
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
  /** "Send again" for a welcome email that failed for good, per account. */
  RATE_LIMIT_WELCOME_EMAIL_AGAIN_PER_USER: rateLimit("3/1d"),
  /** "Choose another image" on the account page, per account. */
  RATE_LIMIT_AVATAR_UPLOAD_PER_USER: rateLimit("10/1h"),
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
  ...mailPaceSchema.shape,
  /** The outbox sweeper re-sends rows left unsent this long (ms). */
  OUTBOX_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(60_000),
  /** Signs unsubscribe and verification links and the pending sign-up cookie (HMAC). Required in production; a fixed dev value otherwise. */
  APP_SECRET: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -hex 32)").optional(),
  /** Resolved dead letters older than this many days are purged nightly. */
  DEAD_LETTER_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /**
   * Dev mode (no signature checks) with a local executor: its URL (the engine, or `inngest dev`),
   * or 1/true for the default address. 0/false, or unset, is cloud mode. Read exactly as the SDK
   * reads it, so the app and the SDK never disagree about the mode.
   */
  INNGEST_DEV: z
    .string()
    .refine((v) => sdkBoolean(v) !== undefined || isUrl(v), "must be 1/true, 0/false, or the URL of a local executor such as http://127.0.0.1:8288")
    .optional(),
  /** Production only, for a production-mode test on one machine: allows INNGEST_DEV under NODE_ENV=production. */
  ALLOW_INNGEST_DEV_IN_PRODUCTION: z.enum(["true", "1", "false", "0"], { error: "must be true or false" }).optional(),
  INNGEST_EVENT_KEY: z.string().min(1).optional(),
  INNGEST_SIGNING_KEY: signingKey.optional(),
  /** The previous signing key while rotating: requests signed with either verify. */
  INNGEST_SIGNING_KEY_FALLBACK: signingKey.optional(),
  /** A self-hosted Inngest server (API and events); unset for Inngest Cloud. */
  INNGEST_BASE_URL: z.url("must be a URL such as https://inngest.internal.example").optional(),
  INNGEST_API_BASE_URL: z.url("must be a URL").optional(),
  INNGEST_EVENT_API_BASE_URL: z.url("must be a URL").optional(),
});

export type Env = Omit<z.infer<typeof schema>, "APP_URL"> & { APP_URL: string };

/** Every variable this module reads, in order (docs/production.md must name each: tests/production-guide.test.ts). */
export const ENV_VARIABLES = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

/**
 * The SDK's mode under these settings (`Inngest#mode` in inngest@4): INNGEST_DEV as a boolean
 * decides; a URL means dev; otherwise cloud, which verifies every request's signature.
 */
export function inngestMode(source: Pick<Env, "INNGEST_DEV">): "dev" | "cloud" {
  if (!source.INNGEST_DEV) return "cloud";
  const flag = sdkBoolean(source.INNGEST_DEV);
  if (flag !== undefined) return flag ? "dev" : "cloud";
  return "dev";
}

/**
 * Where Inngest's REST API is, resolved as the SDK resolves its own API base URL: an explicit API
 * URL, then the self-hosted base URL, then the local executor in dev mode, then Inngest Cloud.
 */
export function inngestApiBaseUrl(source: Env = env): string {
  if (source.INNGEST_API_BASE_URL) return source.INNGEST_API_BASE_URL;
  if (source.INNGEST_BASE_URL) return source.INNGEST_BASE_URL;
  const dev = source.INNGEST_DEV;
  if (dev && sdkBoolean(dev) === undefined) return /^https?:\/\//.test(dev) ? dev : `http://${dev}`;
  return inngestMode(source) === "dev" ? "http://localhost:8288" : "https://api.inngest.com";
}

const isLoopback = (url: URL) => ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) || url.hostname.startsWith("127.");

let parsed: Env | undefined;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  // Outside production the local origin is a safe default; production must say (serverRequirements).
  return { ...result.data, APP_URL: result.data.APP_URL ?? DEV_APP_URL };
}

/**
 * What the running server needs beyond well-formed values (command-line tools such as
 * admin:create need only the database). Checked by instrumentation.ts at start.
 */
export function serverRequirements(env: Env, source: Record<string, string | undefined> = {}): string[] {
  const missing: string[] = [];
  const production = env.NODE_ENV === "production";
  if (!env.RESEND_API_KEY && !env.RESEND_BASE_URL) missing.push("RESEND_API_KEY: is required unless RESEND_BASE_URL points at a local mail catcher");

  // Dev mode turns off the SDK's signature checks: anyone who can reach /api/inngest could run any
  // function with any event. Production refuses it unless a local production-mode test says so.
  const mode = inngestMode(env);
  if (production && mode === "dev" && sdkBoolean(env.ALLOW_INNGEST_DEV_IN_PRODUCTION ?? "") !== true) {
    missing.push("INNGEST_DEV: is set in production, which turns off the signature checks on /api/inngest; unset it and set INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY (ALLOW_INNGEST_DEV_IN_PRODUCTION=true permits it for a local production-mode test only)");
  }
  // In cloud mode the SDK needs both keys; without them every call fails at run time.
  if (mode === "cloud") {
    for (const key of ["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"] as const) {
      if (!env[key]) missing.push(`${key}: is required when INNGEST_DEV does not select dev mode (cloud or self-hosted Inngest)`);
    }
  }
  if (production && !env.APP_SECRET) missing.push("APP_SECRET: is required in production (it signs unsubscribe and verification links and the pending sign-up cookie)");
  if (production) {
    if (!source.APP_URL) missing.push("APP_URL: is required in production (the https origin people use, for cookies and email links)");
    else if (new URL(env.APP_URL).protocol !== "https:" && !isLoopback(new URL(env.APP_URL))) {
      missing.push("APP_URL: must be https in production (http only for localhost): session cookies need Secure and email links must not leak tokens");
    }
  }
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
  const missing = serverRequirements(env, source);
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
