// One embedded PostgreSQL cluster per `vitest run`. The app's migrations are applied once to a
// template database; each worker clones it (tests/setup/worker-env.ts), so test files never share
// rows with another worker and migrations run once, not per file.
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from "@signup-jobs/devkit";
import { applyMigrations } from "../../scripts/lib/local-db";

export const APP_TEMPLATE_DB = "app_template";

let server: EmbeddedServer | undefined;

export default async function setup(project: TestProject) {
  const port = await freePort();
  const dataDir = path.join(os.tmpdir(), `vitest-pg-${process.pid}`);
  server = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });

  await server.ensureDatabase(APP_TEMPLATE_DB);
  applyMigrations(server.url(APP_TEMPLATE_DB));

  // Workers get the server's base URL and build their own database names from it.
  project.provide("pgServerUrl", server.url(""));
  project.provide("appTemplateDb", APP_TEMPLATE_DB);

  return async () => {
    await server?.stop();
  };
}


declare module "vitest" {
  export interface ProvidedContext {
    /** `postgresql://user:pass@127.0.0.1:port/` — append a database name. */
    pgServerUrl: string;
    appTemplateDb: string;
  }
}
