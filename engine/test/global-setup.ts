// The engine's own PostgreSQL for its suite (one embedded server per run; each test file makes
// its own database on it), so the engine is tested without the app or its migrations.
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, startEmbeddedPostgres } from "@signup-jobs/devkit";

export default async function setup(project: TestProject) {
  const server = await startEmbeddedPostgres({
    dataDir: path.join(os.tmpdir(), `engine-test-pg-${process.pid}`),
    port: await freePort(),
    ephemeral: true,
  });
  project.provide("enginePgServerUrl", server.url(""));
  return () => server.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    /** `postgresql://user:pass@127.0.0.1:port/` — append a database name. */
    enginePgServerUrl: string;
  }
}
