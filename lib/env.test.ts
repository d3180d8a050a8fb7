import { describe, expect, it } from "vitest";
import { loadEnv, loadServerEnv } from "@/lib/env";

describe("env", () => {
  it("names the missing variable", () => {
    expect(() => loadEnv({})).toThrow(/DATABASE_URL: is required/);
  });

  it("names a malformed variable", () => {
    expect(() => loadEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://h/db", SESSION_TTL_DAYS: "soon" })).toThrow(/SESSION_TTL_DAYS/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://h/db", RESEND_BASE_URL: "nope" })).toThrow(/RESEND_BASE_URL: must be a URL/);
  });

  it("requires Inngest keys in production unless a local executor is configured", () => {
    const base = { DATABASE_URL: "postgresql://h/db", NODE_ENV: "production", RESEND_API_KEY: "re_x", APP_SECRET: "s".repeat(32) };
    expect(() => loadServerEnv(base)).toThrow(/INNGEST_EVENT_KEY: is required when INNGEST_DEV is not set[\s\S]*INNGEST_SIGNING_KEY/);
    expect(loadServerEnv({ ...base, INNGEST_DEV: "http://127.0.0.1:8288" }).NODE_ENV).toBe("production");
    expect(loadServerEnv({ ...base, INNGEST_EVENT_KEY: "e", INNGEST_SIGNING_KEY: "s" }).SESSION_TTL_DAYS).toBe(30);
  });
});

describe("mail settings", () => {
  it("needs a Resend key unless a local mail catcher is configured", () => {
    expect(() => loadServerEnv({ DATABASE_URL: "postgresql://h/db" })).toThrow(/RESEND_API_KEY: is required unless RESEND_BASE_URL/);
    expect(loadServerEnv({ DATABASE_URL: "postgresql://h/db", RESEND_BASE_URL: "http://127.0.0.1:4010" }).RESEND_BASE_URL).toBe("http://127.0.0.1:4010");
    // Command-line tools need only the database.
    expect(loadEnv({ DATABASE_URL: "postgresql://h/db" }).DATABASE_URL).toBe("postgresql://h/db");
  });
});

describe("APP_SECRET", () => {
  it("is required in production and must be long enough", () => {
    const base = { DATABASE_URL: "postgresql://h/db", NODE_ENV: "production", RESEND_API_KEY: "re_x", INNGEST_DEV: "http://127.0.0.1:8288" };
    expect(() => loadServerEnv(base)).toThrow(/APP_SECRET: is required in production/);
    expect(() => loadEnv({ ...base, APP_SECRET: "short" })).toThrow(/APP_SECRET: must be at least 32 characters/);
    expect(loadServerEnv({ ...base, APP_SECRET: "x".repeat(32) }).APP_SECRET).toHaveLength(32);
    // Development needs none (a fixed dev value signs links).
    expect(loadServerEnv({ DATABASE_URL: "postgresql://h/db", RESEND_BASE_URL: "http://127.0.0.1:4010" }).APP_SECRET).toBeUndefined();
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
