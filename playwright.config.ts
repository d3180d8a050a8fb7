import { chromium, defineConfig, devices } from "@playwright/test";
import { exitOnSetupError, resolveChromium } from "@signup-jobs/devkit";
import { E2E } from "./e2e/config";

const baseURL = `http://127.0.0.1:${E2E.appPort}`;

// CHROMIUM_PATH → a system Chromium → Playwright's own → the Chromium inside the npm package
// (what a fresh machine gets from `npm install`). See packages/devkit/src/browser.ts.
const browser = await resolveChromium({ chromiumPath: process.env.CHROMIUM_PATH, playwrightPath: () => chromium.executablePath() }).catch(exitOnSetupError);

const chromiumLaunch = {
  executablePath: browser.executablePath,
  env: { ...process.env, ...browser.env },
  args: [
    "--disable-gpu",
    "--disable-quic",
    // Chromium resolves Google hosts at start even with background networking off; this
    // machine has no internet, so keep every lookup local.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
  ],
};

export default defineConfig({
  testDir: "./e2e",
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
      testMatch: "**/*.spec.ts",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: chromiumLaunch,
      },
    },
    // `npm run screenshots` only (SCREENSHOTS=1): the README's pictures, e2e/*.shot.ts.
    ...(process.env.SCREENSHOTS
      ? [{ name: "screenshots", testMatch: "**/*.shot.ts", use: { ...devices["Desktop Chrome"], launchOptions: chromiumLaunch } }]
      : []),
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
