// docs/production.md cannot drift from the code: it names every variable lib/env.ts reads, every
// `npm run` script it tells a person to run exists, the README links to it, and the release step
// it prescribes (`npm run db:deploy`, then `db:status`) is run here against a fresh database.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { ENV_VARIABLES } from "@/lib/env";

const root = path.resolve(import.meta.dirname, "..");
const guide = fs.readFileSync(path.join(root, "docs/production.md"), "utf8");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);

/** `npm run x`, `npm start`, `npm test` in the guide, as script names. */
function npmScripts(text: string): string[] {
  const found = [...text.matchAll(/\bnpm (?:run ([\w:-]+)|(start|test))\b/g)].map((m) => m[1] ?? m[2]!);
  return [...new Set(found)].sort();
}

describe("docs/production.md", () => {
  it("names every variable lib/env.ts reads", () => {
    expect(ENV_VARIABLES.length).toBeGreaterThan(20);
    const missing = ENV_VARIABLES.filter((name) => !guide.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it("runs only npm scripts that package.json has", () => {
    const used = npmScripts(guide);
    expect(used).toEqual(expect.arrayContaining(["build", "db:deploy", "db:status", "start", "admin:create"]));
    expect(used.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it("is linked from the README", () => {
    expect(readme).toMatch(/\]\(docs\/production\.md\)/);
  });

  it("its release step migrates a fresh database, and a second run changes nothing", async () => {
    const database = `guide_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: `${inject("pgServerUrl")}postgres` });
    await admin.connect();
    await admin.query(`create database ${pg.escapeIdentifier(database)}`);
    const url = `${inject("pgServerUrl")}${database}`;
    const npm = (script: string) => spawnSync("npm", ["run", "--silent", script], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
    try {
      const first = npm("db:deploy");
      expect(first.status, first.stderr).toBe(0);
      const migrations = fs.readdirSync(path.join(root, "prisma/migrations")).filter((name) => /^\d{14}_/.test(name));
      const applied = new pg.Client({ connectionString: url });
      await applied.connect();
      try {
        const rows = await applied.query<{ migration_name: string }>("select migration_name from _prisma_migrations where finished_at is not null order by migration_name");
        expect(rows.rows.map((r) => r.migration_name)).toEqual(migrations.sort());
        // The newest migration is in: a dead letter's attempts may be unknown.
        const column = await applied.query<{ is_nullable: string }>("select is_nullable from information_schema.columns where table_name = 'dead_letter_jobs' and column_name = 'attempts'");
        expect(column.rows[0]?.is_nullable).toBe("YES");
      } finally {
        await applied.end();
      }
      const second = npm("db:deploy");
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/No pending migrations to apply/);
      const status = npm("db:status");
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/Database schema is up to date/);
    } finally {
      await admin.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
      await admin.end();
    }
  }, 180_000);
});
