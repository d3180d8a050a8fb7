import { defineConfig } from "vitest/config";

// The engine's own suite: `npx vitest run --project engine` from the root, or `npm test` in this
// folder. It starts its own PostgreSQL (test/global-setup.ts) and imports nothing from the app.
export default defineConfig({
  test: {
    name: "engine",
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
