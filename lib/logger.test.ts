import { describe, expect, it } from "vitest";
import { formatEntry } from "@/lib/logger";

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe("logger", () => {
  it("keeps an Error's name, message and stack wherever it sits", () => {
    class ProviderError extends Error {
      status = 503;
    }
    const error = new ProviderError("provider down", { cause: new TypeError("socket hang up") });
    error.name = "ProviderError";
    // As the Inngest SDK logs a step error: pino style, the error under `err`.
    const entry = parse(formatEntry("error", [{ err: error, runId: "r1" }, "Inngest step error"]));
    expect(entry.msg).toBe("Inngest step error");
    const err = (entry.detail as { err: Record<string, unknown> }).err;
    expect(err).toMatchObject({ name: "ProviderError", message: "provider down", status: 503 });
    expect(err.stack).toContain("provider down");
    expect(err.cause).toMatchObject({ name: "TypeError", message: "socket hang up" });

    const top = parse(formatEntry("warn", ["failed", error]));
    expect(top.detail).toMatchObject({ name: "ProviderError", message: "provider down" });
    const list = parse(formatEntry("warn", ["failed", { errors: [new Error("a")] }]));
    expect(list.detail).toMatchObject({ errors: [{ message: "a" }] });
  });

  it("survives cycles", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    const error = new Error("loop");
    (error as Error & { cause?: unknown }).cause = error;
    const entry = parse(formatEntry("info", ["x", { a, error }]));
    expect(entry.detail).toMatchObject({ a: { self: "[circular]" }, error: { message: "loop", cause: "[circular]" } });
  });
});
