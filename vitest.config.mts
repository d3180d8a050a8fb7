import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

// Four suites, each runnable alone (`npx vitest run --project engine`): the app's, and those of
// the engine, the mail catcher and the dev kit, which stand on their own (their own configs and
// global setups; none imports the app).
export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        resolve: {
          alias: {
            "@": root,
            // `server-only` throws outside React Server Components; tests run lib/ code directly.
            "server-only": path.join(root, "tests/setup/empty.ts"),
          },
        },
        test: {
          name: "app",
          environment: "node",
          include: ["{lib,tests,inngest,scripts}/**/*.test.ts"],
          globalSetup: ["tests/setup/global-setup.ts"],
          setupFiles: ["tests/setup/worker-env.ts", "tests/setup/fail-on-console-error.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      "engine/vitest.config.mts",
      "mail-catcher/vitest.config.mts",
      "packages/devkit/vitest.config.mts",
    ],
  },
});
