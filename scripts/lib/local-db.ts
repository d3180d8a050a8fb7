// The local development database: the embedded server under .data/postgres, shared by the app
// (database "app") and the engine (database "engine"). Used by `npm run dev` and `npm run db:*`
// when DATABASE_URL is not set.
import { spawnSync } from "node:child_process";
import net from "node:net";
import { startEmbeddedPostgres, type EmbeddedServer } from "@signup-jobs/devkit";

export const LOCAL_PG_PORT = 54329;
export const LOCAL_DATA_DIR = ".data/postgres";

export type LocalDatabase = {
  appUrl: string;
  engineUrl: string;
  /** Stops the server only if this process started it. */
  stop(): Promise<void>;
};

export async function ensureLocalDatabase(log: (line: string) => void = () => {}): Promise<LocalDatabase> {
  let server: EmbeddedServer | undefined;
  const base = `postgresql://postgres:postgres@127.0.0.1:${LOCAL_PG_PORT}/`;
  if (!(await isListening(LOCAL_PG_PORT))) {
    server = await startEmbeddedPostgres({ dataDir: LOCAL_DATA_DIR, port: LOCAL_PG_PORT, log });
    await server.ensureDatabase("app");
    await server.ensureDatabase("engine");
  }
  return {
    appUrl: `${base}app`,
    engineUrl: `${base}engine`,
    stop: async () => {
      await server?.stop();
    },
  };
}

/** `prisma migrate deploy` on a database; throws with Prisma's output when it fails. */
export function applyMigrations(databaseUrl: string): void {
  const migrate = spawnSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`Migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
