// Playwright's web server: a throwaway database and the production build (`next start`), in
// production mode for real: the app in Inngest cloud mode (every request's signature checked by
// the SDK) against the engine in signed mode, with keys made for this run (E2E.keysFile).
import { runMain } from "@signup-jobs/devkit";
import { E2E } from "../e2e/config";
import { startStack } from "./lib/stack";

await runMain(async () => {
  await startStack({
    command: "the Playwright stack (npm run test:e2e)",
    mode: "start",
    appPort: E2E.appPort,
    enginePort: E2E.enginePort,
    mailPort: E2E.mailPort,
    dataDir: E2E.dataDir,
    keysFile: E2E.keysFile,
    // Files and mail from an earlier run would leak into this one.
    fresh: true,
    pg: { dataDir: `${E2E.dataDir}/postgres`, port: E2E.pgPort, ephemeral: true },
    // Inngest's backoff table, 20× faster: a retried step waits 0.75 s instead of 15 s.
    engineArgs: ["--time-scale", "0.05"],
    appEnv: {
      // Playwright stands in for one trusted proxy: each test's context sends its own
      // x-forwarded-for (e2e/fixtures.ts), so per-client limits see one client per test.
      TRUSTED_PROXY_HOPS: "1",
      // The suite signs up far more people in an hour than one app would see; the per-client and
      // per-address limits stay as in production.
      RATE_LIMIT_SIGN_UP_GLOBAL: "100000/1h",
    },
  });
});
