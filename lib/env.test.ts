import { describe, expect, it } from "vitest";
import { inngestApiBaseUrl, inngestMode, loadEnv, loadServerEnv, mailPaceSettings } from "@/lib/env";

describe("env", () => {
  it("names the missing variable", () => {
    expect(() => loadEnv({})).toThrow(/DATABASE_URL: is required/);
  });

  it("names a malformed variable", () => {
    expect(() => loadEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://h/db", SESSION_TTL_DAYS: "soon" })).toThrow(/SESSION_TTL_DAYS/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://h/db", RESEND_BASE_URL: "nope" })).toThrow(/RESEND_BASE_URL: must be a URL/);
  });

});

const SIGNING_KEY = `signkey-prod-${"ab12".repeat(16)}`;
const production = { DATABASE_URL: "postgresql://h/db", NODE_ENV: "production", RESEND_API_KEY: "re_x", APP_SECRET: "s".repeat(32), APP_URL: "https://app.example.com" };

describe("production fails closed", () => {
  it("requires both Inngest keys in cloud mode, naming each", () => {
    expect(() => loadServerEnv(production)).toThrow(/INNGEST_EVENT_KEY: is required when INNGEST_DEV does not select dev mode[\s\S]*INNGEST_SIGNING_KEY: is required/);
    expect(loadServerEnv({ ...production, INNGEST_EVENT_KEY: "e", INNGEST_SIGNING_KEY: SIGNING_KEY }).SESSION_TTL_DAYS).toBe(30);
  });

  it("refuses INNGEST_DEV in production, which would turn off signature checks, unless explicitly allowed", () => {
    const keys = { INNGEST_EVENT_KEY: "e", INNGEST_SIGNING_KEY: SIGNING_KEY };
    for (const dev of ["http://127.0.0.1:8288", "1", "true", " TRUE "]) {
      expect(() => loadServerEnv({ ...production, ...keys, INNGEST_DEV: dev }), dev).toThrow(/INNGEST_DEV: is set in production, which turns off the signature checks/);
    }
    expect(loadServerEnv({ ...production, INNGEST_DEV: "http://127.0.0.1:8288", ALLOW_INNGEST_DEV_IN_PRODUCTION: "true" }).NODE_ENV).toBe("production");
    expect(() => loadServerEnv({ ...production, INNGEST_DEV: "http://127.0.0.1:8288", ALLOW_INNGEST_DEV_IN_PRODUCTION: "yes" })).toThrow(/ALLOW_INNGEST_DEV_IN_PRODUCTION: must be true or false/);
  });

  it("reads INNGEST_DEV the way the SDK does: 0/false is cloud mode and still needs the keys", () => {
    expect(inngestMode({ INNGEST_DEV: "0" })).toBe("cloud");
    expect(inngestMode({ INNGEST_DEV: "false" })).toBe("cloud");
    expect(inngestMode({ INNGEST_DEV: "1" })).toBe("dev");
    expect(inngestMode({ INNGEST_DEV: "127.0.0.1:8288" })).toBe("dev");
    expect(inngestMode({ INNGEST_DEV: undefined })).toBe("cloud");
    expect(() => loadServerEnv({ ...production, INNGEST_DEV: "0" })).toThrow(/INNGEST_SIGNING_KEY: is required/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://h/db", INNGEST_DEV: "http://" })).toThrow(/INNGEST_DEV: must be 1\/true, 0\/false, or the URL/);
  });

  it("checks the signing keys' shape", () => {
    expect(() => loadEnv({ DATABASE_URL: "postgresql://h/db", INNGEST_SIGNING_KEY: "s" })).toThrow(/INNGEST_SIGNING_KEY: must be hex, optionally prefixed signkey-<env>-/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://h/db", INNGEST_SIGNING_KEY_FALLBACK: "signkey-prod-xyz" })).toThrow(/INNGEST_SIGNING_KEY_FALLBACK/);
    // A self-hosted server's key is bare hex.
    expect(loadEnv({ DATABASE_URL: "postgresql://h/db", INNGEST_SIGNING_KEY: "ab12".repeat(16) }).INNGEST_SIGNING_KEY).toHaveLength(64);
  });

  it("requires an https APP_URL in production (loopback excepted)", () => {
    const keys = { INNGEST_EVENT_KEY: "e", INNGEST_SIGNING_KEY: SIGNING_KEY };
    const { APP_URL: _omitted, ...withoutUrl } = production;
    expect(() => loadServerEnv({ ...withoutUrl, ...keys })).toThrow(/APP_URL: is required in production/);
    expect(() => loadServerEnv({ ...production, ...keys, APP_URL: "http://app.example.com" })).toThrow(/APP_URL: must be https in production/);
    expect(loadServerEnv({ ...production, ...keys, APP_URL: "http://localhost:3100" }).APP_URL).toBe("http://localhost:3100");
    expect(loadServerEnv({ ...production, ...keys, APP_URL: "http://127.0.0.1:3100" }).APP_URL).toBe("http://127.0.0.1:3100");
    // Development keeps its local default.
    expect(loadEnv({ DATABASE_URL: "postgresql://h/db" }).APP_URL).toBe("http://localhost:3000");
  });
});

describe("the Inngest API the dashboard reads", () => {
  const base = loadEnv({ DATABASE_URL: "postgresql://h/db" });
  it("follows the SDK: explicit API URL, self-hosted base, local executor, then Inngest Cloud", () => {
    expect(inngestApiBaseUrl({ ...base, INNGEST_API_BASE_URL: "https://api.internal", INNGEST_BASE_URL: "https://inngest.internal" })).toBe("https://api.internal");
    expect(inngestApiBaseUrl({ ...base, INNGEST_BASE_URL: "https://inngest.internal" })).toBe("https://inngest.internal");
    expect(inngestApiBaseUrl({ ...base, INNGEST_DEV: "127.0.0.1:8288" })).toBe("http://127.0.0.1:8288");
    expect(inngestApiBaseUrl({ ...base, INNGEST_DEV: "1" })).toBe("http://localhost:8288");
    expect(inngestApiBaseUrl({ ...base })).toBe("https://api.inngest.com");
  });
});

describe("mail settings", () => {
  it("needs a Resend key unless a local mail catcher is configured", () => {
    expect(() => loadServerEnv({ DATABASE_URL: "postgresql://h/db", INNGEST_DEV: "1" })).toThrow(/RESEND_API_KEY: is required unless RESEND_BASE_URL/);
    expect(loadServerEnv({ DATABASE_URL: "postgresql://h/db", RESEND_BASE_URL: "http://127.0.0.1:4010", INNGEST_DEV: "http://127.0.0.1:8288" }).RESEND_BASE_URL).toBe("http://127.0.0.1:4010");
    // Command-line tools need only the database.
    expect(loadEnv({ DATABASE_URL: "postgresql://h/db" }).DATABASE_URL).toBe("postgresql://h/db");
  });
});

describe("APP_SECRET", () => {
  it("is required in production and must be long enough", () => {
    const base = { DATABASE_URL: "postgresql://h/db", NODE_ENV: "production", RESEND_API_KEY: "re_x", INNGEST_DEV: "http://127.0.0.1:8288", ALLOW_INNGEST_DEV_IN_PRODUCTION: "true", APP_URL: "https://app.example.com" };
    expect(() => loadServerEnv(base)).toThrow(/APP_SECRET: is required in production/);
    expect(() => loadEnv({ ...base, APP_SECRET: "short" })).toThrow(/APP_SECRET: must be at least 32 characters/);
    expect(loadServerEnv({ ...base, APP_SECRET: "x".repeat(32) }).APP_SECRET).toHaveLength(32);
    // Development needs none (a fixed dev value signs links).
    expect(loadServerEnv({ DATABASE_URL: "postgresql://h/db", RESEND_BASE_URL: "http://127.0.0.1:4010", INNGEST_DEV: "http://127.0.0.1:8288" }).APP_SECRET).toBeUndefined();
  });

  it("dead-letter retention defaults to 30 days", () => {
    expect(loadEnv({ DATABASE_URL: "postgresql://h/db" }).DEAD_LETTER_RETENTION_DAYS).toBe(30);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://h/db", DEAD_LETTER_RETENTION_DAYS: "0" })).toThrow(/DEAD_LETTER_RETENTION_DAYS/);
  });
});

describe("account settings", () => {
  const base = { DATABASE_URL: "postgresql://h/db" };

  it("defaults: strict client address, limits as documented", () => {
    const env = loadEnv(base);
    expect(env.TRUSTED_PROXY_HOPS).toBe(0);
    expect(env.ADMIN_SESSION_TTL_HOURS).toBe(12);
    expect([env.VERIFICATION_LINK_TTL_HOURS, env.VERIFICATION_REMINDER_HOURS, env.UNVERIFIED_ACCOUNT_DAYS]).toEqual([48, 24, 7]);
    expect(env.RATE_LIMIT_SIGN_UP_PER_CLIENT).toEqual({ limit: 5, windowMs: 3_600_000, text: "5/1h" });
    expect(env.RATE_LIMIT_LOG_IN_PER_ACCOUNT_CLIENT).toEqual({ limit: 5, windowMs: 900_000, text: "5/15m" });
    expect(env.RATE_LIMIT_LOG_IN_PER_CLIENT.limit).toBe(30);
  });

  it("reads limits as <count>/<window> and names a bad one", () => {
    expect(loadEnv({ ...base, RATE_LIMIT_SIGN_UP_GLOBAL: "1000/1d" }).RATE_LIMIT_SIGN_UP_GLOBAL).toMatchObject({ limit: 1000, windowMs: 86_400_000 });
    expect(loadEnv({ ...base, RATE_LIMIT_SIGN_UP_GLOBAL: " 20 / 30s " }).RATE_LIMIT_SIGN_UP_GLOBAL).toMatchObject({ limit: 20, windowMs: 30_000 });
    for (const bad of ["5", "5/h", "0/1h", "five/1h", "5/1w"]) {
      expect(() => loadEnv({ ...base, RATE_LIMIT_LOG_IN_PER_ACCOUNT: bad }), bad).toThrow(/RATE_LIMIT_LOG_IN_PER_ACCOUNT: must be <count>\/<window>/);
    }
  });

  it("refuses a proxy hop count that is not a small whole number", () => {
    expect(loadEnv({ ...base, TRUSTED_PROXY_HOPS: "2" }).TRUSTED_PROXY_HOPS).toBe(2);
    for (const bad of ["-1", "1.5", "many", "11"]) expect(() => loadEnv({ ...base, TRUSTED_PROXY_HOPS: bad }), bad).toThrow(/TRUSTED_PROXY_HOPS/);
  });
});

describe("mail pace", () => {
  const base = { DATABASE_URL: "postgresql://h/db" };

  it("defaults to Resend's 2 requests per second, half of it for the digest", () => {
    expect(mailPaceSettings({})).toEqual({ requestsPerSecond: 2, bulkShare: 0.5 });
    expect(loadEnv(base)).toMatchObject({ RESEND_REQUESTS_PER_SECOND: 2, RESEND_BULK_SHARE: 0.5 });
    expect(mailPaceSettings({ RESEND_REQUESTS_PER_SECOND: "10", RESEND_BULK_SHARE: "0.25" })).toEqual({ requestsPerSecond: 10, bulkShare: 0.25 });
  });

  it("names a bad rate or share, alone and in the full env", () => {
    for (const bad of ["0", "-2", "fast", "5000"]) {
      expect(() => mailPaceSettings({ RESEND_REQUESTS_PER_SECOND: bad }), bad).toThrow(/RESEND_REQUESTS_PER_SECOND: must be/);
      expect(() => loadEnv({ ...base, RESEND_REQUESTS_PER_SECOND: bad }), bad).toThrow(/RESEND_REQUESTS_PER_SECOND/);
    }
    for (const bad of ["0", "1", "0.95", "half"]) {
      expect(() => mailPaceSettings({ RESEND_BULK_SHARE: bad }), bad).toThrow(/RESEND_BULK_SHARE: must be/);
      expect(() => loadEnv({ ...base, RESEND_BULK_SHARE: bad }), bad).toThrow(/RESEND_BULK_SHARE/);
    }
  });
});
