import { defineConfig } from "vitest/config";

// The mail catcher's own suite: `npx vitest run --project mail-catcher` from the root, or
// `npm test` in this folder. It needs no database.
export default defineConfig({
  test: {
    name: "mail-catcher",
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
