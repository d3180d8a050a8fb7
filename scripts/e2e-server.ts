// Playwright's web server: a throwaway database and the production build (`next start`).
import { E2E } from "../e2e/config";
import { startStack } from "./lib/stack";

await startStack({
  mode: "start",
  appPort: E2E.appPort,
  enginePort: E2E.enginePort,
  pg: { dataDir: ".data/e2e-postgres", port: E2E.pgPort, ephemeral: true },
});
