// Playwright's web server: a throwaway database and the production build (`next start`).
import { E2E } from "../e2e/config";
import fs from "node:fs";
import { startStack } from "./lib/stack";

// Files and mail from an earlier run would leak into this one.
fs.rmSync(".data/e2e", { recursive: true, force: true });

await startStack({
  mode: "start",
  appPort: E2E.appPort,
  enginePort: E2E.enginePort,
  mailPort: E2E.mailPort,
  dataDir: ".data/e2e",
  pg: { dataDir: ".data/e2e/postgres", port: E2E.pgPort, ephemeral: true },
  // Inngest's backoff table, 20× faster: a retried step waits 0.75 s instead of 15 s.
  engineArgs: ["--time-scale", "0.05"],
});
