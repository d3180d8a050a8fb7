import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError, fieldErrorsOf, methodNotAllowed, toErrorResponse } from "@/lib/errors";

describe("toErrorResponse", () => {
  it("answers invalid input (zod) with 422 and the message for each field", async () => {
    const result = z.object({ email: z.email("Enter a valid email"), tags: z.array(z.string().min(2, "Too short")) }).safeParse({ email: "x", tags: ["ok", "x"] });
    const response = toErrorResponse(result.error);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: { code: "unprocessable", message: "Some fields are invalid.", fieldErrors: { email: ["Enter a valid email"], "tags.1": ["Too short"] } },
    });
  });

  it("answers an AppError with its status, code, message, field errors and headers", async () => {
    const response = toErrorResponse(new AppError("rate_limited", "Too many login attempts.", { headers: { "retry-after": "900" } }));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("900");
    expect(await response.json()).toEqual({ error: { code: "rate_limited", message: "Too many login attempts." } });

    const conflict = toErrorResponse(new AppError("conflict", "Taken.", { fieldErrors: { email: ["Taken."] } }));
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({ error: { code: "conflict", message: "Taken.", fieldErrors: { email: ["Taken."] } } });
  });

  it.each([
    ["bad_request", 400],
    ["unauthorized", 401],
    ["forbidden", 403],
    ["not_found", 404],
    ["payload_too_large", 413],
    ["unsupported_media_type", 415],
    ["unprocessable", 422],
  ] as const)("%s → %i", (code, status) => {
    expect(toErrorResponse(new AppError(code, "x")).status).toBe(status);
  });

  it("answers anything else with a generic 500 that shows no internals, and logs it", async () => {
    const logged = vi.mocked(console.error).mockImplementationOnce(() => {});
    const error = new Error("password authentication failed for user app at 10.0.0.5");
    const response = toErrorResponse(error);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: { code: "internal", message: "Something went wrong." } });
    expect(body).not.toContain("10.0.0.5");
    expect(logged).toHaveBeenCalledWith(error);
  });
});

describe("fieldErrorsOf", () => {
  it("keys errors by path and puts form-level ones under _form", () => {
    const schema = z.object({ a: z.string() }).refine(() => false, "Whole form is wrong");
    const result = schema.safeParse({ a: 1 });
    expect(fieldErrorsOf(result.error!)).toEqual({ a: [expect.any(String)] });
    const formLevel = schema.safeParse({ a: "ok" });
    expect(fieldErrorsOf(formLevel.error!)).toEqual({ _form: ["Whole form is wrong"] });
  });
});

describe("methodNotAllowed", () => {
  // Found by `npm run abuse`: Next.js answers a method a route does not export with a bare 405.
  it("says which methods the address takes", async () => {
    const response = methodNotAllowed(["GET", "HEAD"])();
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    expect(await response.json()).toEqual({ error: { code: "method_not_allowed", message: "This address accepts GET, HEAD only." } });
  });
});
