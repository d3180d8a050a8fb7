import { describe, expect, it } from "vitest";
import { z } from "zod";
import { logInSchema, safeNextPath, signUpSchema } from "@/lib/accounts/schemas";

const messages = (result: { success: boolean; error?: z.ZodError }) => (result.error ? z.flattenError(result.error).fieldErrors : {});

describe("sign-up schema", () => {
  it("accepts a valid sign-up and normalises the email", () => {
    const parsed = signUpSchema.parse({ name: "  Ada Lovelace ", email: " Ada@Example.COM ", password: "correct horse" });
    expect(parsed).toEqual({ name: "Ada Lovelace", email: "ada@example.com", password: "correct horse" });
  });

  it("explains each invalid field in words a person understands", () => {
    const result = signUpSchema.safeParse({ name: "   ", email: "not-an-email", password: "short" });
    expect(messages(result)).toEqual({
      name: ["Enter your name"],
      email: ["Enter a valid email address, like name@example.com"],
      password: ["Password must be at least 8 characters"],
    });
  });

  it("reports missing fields instead of throwing", () => {
    const result = signUpSchema.safeParse({});
    expect(messages(result)).toEqual({ name: ["Enter your name"], email: ["Enter your email address"], password: ["Choose a password"] });
  });

  it("rejects overlong values", () => {
    const result = signUpSchema.safeParse({ name: "x".repeat(101), email: `${"a".repeat(250)}@example.com`, password: "p".repeat(201) });
    expect(messages(result)).toEqual({
      name: ["Name must be at most 100 characters"],
      email: ["Email must be at most 254 characters"],
      password: ["Password must be at most 200 characters"],
    });
  });
});

describe("log-in schema", () => {
  it("asks for the password when it is empty", () => {
    expect(messages(logInSchema.safeParse({ email: "ada@example.com", password: "" }))).toEqual({ password: ["Enter your password"] });
  });
});

describe("safeNextPath", () => {
  it.each([
    // Same-origin paths pass, as the URL parser serialises them.
    ["/admin", "/admin"],
    ["/account?tab=1", "/account?tab=1"],
    ["/account#digest", "/account#digest"],
    ["/admin/dead-letters?status=OPEN&q=a%20b", "/admin/dead-letters?status=OPEN&q=a%20b"],
    ["/login?next=//evil.example", "/login?next=//evil.example"], // a query is not a path
    ["/%09/evil.example", "/%09/evil.example"], // still encoded: a path segment, not a TAB
    ["/caf\u00e9", "/caf%C3%A9"],
    // Another origin, however it is spelled.
    ["//evil.example/phish", "/account"],
    ["/\\evil.example", "/account"],
    ["\\\\evil.example", "/account"],
    ["/\t/evil.example", "/account"], // the reported case: ?next=/%09/evil.example, decoded
    ["/\n/evil.example", "/account"],
    ["/\r\n/evil.example", "/account"],
    ["/\u0000/evil.example", "/account"],
    ["/\u007f/evil.example", "/account"],
    ["/.//evil.example", "/account"],
    ["/%2e//evil.example", "/account"],
    ["/%2e%2e//evil.example", "/account"],
    ["/a/../..//evil.example", "/account"],
    ["https://evil.example", "/account"],
    ["http:/evil.example", "/account"],
    ["javascript:alert(1)", "/account"],
    ["data:text/html,hi", "/account"],
    [" /account", "/account"],
    ["account", "/account"],
    ["/" + "a".repeat(2001), "/account"],
    ["", "/account"],
    [undefined, "/account"],
    [null, "/account"],
  ])("%j → %s", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});
