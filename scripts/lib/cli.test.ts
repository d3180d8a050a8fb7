import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CliError, parseCli, positiveNumber, wholeNumber } from "./cli";
import { runScript } from "./processes";

const soakSpec = { values: { minutes: positiveNumber().default(5), rate: positiveNumber().optional() } };

describe("parseCli", () => {
  it("takes the options given, with defaults for the rest", () => {
    expect(parseCli(["--minutes", "0.5"], soakSpec)).toEqual({ values: { minutes: 0.5 }, flags: {}, words: [] });
    expect(parseCli([], soakSpec).values).toEqual({ minutes: 5 });
    expect(parseCli(["--rate=3"], soakSpec).values).toEqual({ minutes: 5, rate: 3 });
    expect(parseCli(["--bounded"], { flags: ["bounded", "verbose"] }).flags).toEqual({ bounded: true, verbose: false });
    expect(parseCli(["digest"], { words: ["digest"] }).words).toEqual(["digest"]);
  });

  it("refuses a misspelt option by name instead of running with the defaults", () => {
    expect(() => parseCli(["--minute", "1"], soakSpec)).toThrow(CliError);
    expect(() => parseCli(["--minute", "1"], soakSpec)).toThrow(/--minute\b/);
    expect(() => parseCli(["--bouned"], { flags: ["bounded"] })).toThrow(/--bouned/);
  });

  it("refuses a bad value naming its option and what it got", () => {
    expect(() => parseCli(["--minutes", "five"], soakSpec)).toThrow('--minutes: must be a number (got "five")');
    expect(() => parseCli(["--minutes", "0"], soakSpec)).toThrow('--minutes: must be more than 0 (got "0")');
    expect(() => parseCli(["--size", "10"], { values: { size: wholeNumber(1000) } })).toThrow('--size: must be at least 1000 (got "10")');
    expect(() => parseCli(["--runs", "2.5"], { values: { runs: wholeNumber(1) } })).toThrow('--runs: must be a whole number (got "2.5")');
    expect(() => parseCli(["--minutes"], soakSpec)).toThrow(/--minutes <value>' argument missing/);
  });

  it("never repeats a secret's value, and falls back to a value the script read from its environment", () => {
    const password = z.string().min(12, "Password must be at least 12 characters");
    const spec = (value?: string) => ({ values: { password }, secret: ["password"] as const, fallback: { password: { from: "ADMIN_PASSWORD", value } } });
    expect(() => parseCli(["--password", "hunter2"], spec())).toThrow(/^--password: Password must be at least 12 characters$/);
    expect(() => parseCli([], spec("short"))).toThrow(/^--password \(from ADMIN_PASSWORD\): Password must be at least 12 characters$/);
    expect(parseCli([], spec("a long enough passphrase")).values).toEqual({ password: "a long enough passphrase" });
    expect(parseCli(["--password", "given on the line wins"], spec("a long enough passphrase")).values).toEqual({ password: "given on the line wins" });
  });

  it("refuses positional arguments it was not told about", () => {
    expect(() => parseCli(["100"], soakSpec)).toThrow(/'100'/);
    expect(() => parseCli(["digits"], { words: ["digest"] })).toThrow("Unexpected argument 'digits'");
  });
});

// The script itself: a typo must stop it before it builds, starts or kills anything.
it("npm run chaos -- --bouned exits 2 naming the option, before it starts anything", async () => {
  const { code, out } = await runScript("scripts/chaos.ts", ["--bouned"]);
  expect(code).toBe(2);
  expect(out).toContain("Unknown option '--bouned'");
  expect(out).toContain("usage: npm run chaos -- [--bounded] [--verbose]");
  expect(out).not.toMatch(/npm run build|starting|PostgreSQL/i);
}, 60_000);
