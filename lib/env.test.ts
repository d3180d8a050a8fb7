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
    const base = { DATABASE_URL: "postgresql://h/db", NODE_ENV: "production", RESEND_API_KEY: "re_x" };
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
