// One embedded PostgreSQL cluster per `vitest run`. The app's migrations are applied once to a
// template database; each worker clones it (tests/setup/worker-env.ts), so test files never share
// rows with another worker and migrations run once, not per file.
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from "@signup-jobs/devkit";

export const APP_TEMPLATE_DB = "app_template";

let server: EmbeddedServer | undefined;

export default async function setup(project: TestProject) {
  const port = await freePort();
  const dataDir = path.join(os.tmpdir(), `vitest-pg-${process.pid}`);
  server = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });

  await server.ensureDatabase(APP_TEMPLATE_DB);
  const migrate = spawnSync("node_modules/.bin/prisma", ["migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: server.url(APP_TEMPLATE_DB) },
    encoding: "utf8",
  });
  if (migrate.status !== 0) {
    throw new Error(`prisma migrate deploy failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }

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
