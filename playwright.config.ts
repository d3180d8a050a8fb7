import fs from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { E2E } from "./e2e/config";

const baseURL = `http://127.0.0.1:${E2E.appPort}`;

// Debian's Chromium when present (Playwright cannot download its own browser offline); otherwise
// Playwright's own, for machines where `npx playwright install chromium` works.
const chromium = process.env.CHROMIUM_PATH ?? (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1, // 2-core machines: one browser at a time beside the app, engine and database
  reporter: process.env.CI ? [["line"]] : [["list"]],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: { baseURL, trace: "retain-on-failure" },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: chromium,
          args: [
            "--disable-gpu",
            "--disable-quic",
            // Chromium resolves Google hosts at start even with background networking off; this
            // machine has no internet, so keep every lookup local.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
          ],
        },
      },
    },
  ],
  webServer: {
    // Production build (`npm run build` first; `npm test` does) on a throwaway database.
    command: "node_modules/.bin/tsx scripts/e2e-server.ts",
    url: `${baseURL}/api/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    stdout: process.env.DEBUG_E2E ? "pipe" : "ignore",
    stderr: "pipe",
  },
});
