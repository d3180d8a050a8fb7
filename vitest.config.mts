import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // `server-only` throws outside React Server Components; tests run lib/ code directly.
      "server-only": path.join(root, "tests/setup/empty.ts"),
    },
  },
  test: {
    environment: "node",
    include: ["{lib,tests,inngest,engine,scripts,mail-catcher,packages}/**/*.test.ts"],
    exclude: ["e2e/**", "node_modules/**", ".next/**"],
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/worker-env.ts", "tests/setup/fail-on-console-error.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
