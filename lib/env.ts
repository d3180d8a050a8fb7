// The one place that reads process.env. Parsed on first use (so `next build` needs no runtime
// secrets) and at server start from instrumentation.ts, so a bad variable fails at start, by name.
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string({ error: "is required (a postgresql:// URL)" })
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgresql:// URL"),
  /** Public origin of the app; https turns on Secure cookies. */
  APP_URL: z.url("must be a URL such as http://localhost:3000").default("http://localhost:3000"),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Where uploaded originals and processed avatars live (see lib/avatars/storage.ts). */
  DATA_DIR: z.string().min(1).default(".data/files"),
  /** Resend: the real API in production; the local mail catcher (RESEND_BASE_URL) otherwise. */
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: z.url("must be a URL such as http://127.0.0.1:4010").optional(),
  MAIL_FROM: z.string().min(3).default("Signup Jobs <hello@signup-jobs.example>"),
  /** The outbox sweeper re-sends rows left unsent this long (ms). */
  OUTBOX_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(60_000),
  /** Signs unsubscribe links (HMAC). Required in production; a fixed dev value otherwise. */
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
