// A console.error during a test is a bug we would otherwise miss (epic-stack's habit).
import { afterEach, vi } from "vitest";

const calls: unknown[][] = [];
const original = console.error;

vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
  calls.push(args);
  original(...args);
});

afterEach(() => {
  if (calls.length) {
    const first = calls.splice(0).map((args) => args.map(String).join(" "));
    throw new Error(`console.error was called during the test:\n${first.join("\n")}`);
  }
});
