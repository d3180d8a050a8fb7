// `npm run admin:create` as an operator runs it: a child process against this worker's database.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { db } from "@/lib/db";
import { runScript } from "./lib/processes";

const PASSWORD = "a long enough passphrase";

/** The script as npm runs it (package.json "admin:create"); no ADMIN_PASSWORD unless a test gives one. */
const adminCreate = (args: string[], env: Record<string, string> = {}) =>
  runScript("scripts/admin-create.ts", args, { reactServer: true, env: { ADMIN_PASSWORD: "", ...env } });

describe("npm run admin:create", () => {
  it("refuses a short password without printing it, and a misspelt switch, before touching the database", async () => {
    const email = `ops-${randomUUID()}@example.com`;
    const short = await adminCreate(["--email", email, "--password", "hunter2"]);
    expect(short.code).toBe(2);
    expect(short.out).toContain("--password: Password must be at least");
    expect(short.out).not.toContain("hunter2");
    const typo = await adminCreate(["--email", email, "--password", PASSWORD, "--promote-exisitng"]);
    expect(typo.code).toBe(2);
    expect(typo.out).toContain("Unknown option '--promote-exisitng'");
    expect(await db.user.count({ where: { email } })).toBe(0);
  }, 60_000);

  it("makes an admin with the password from ADMIN_PASSWORD, refuses the address again, then promotes it when told to", async () => {
    const email = `ops-${randomUUID()}@example.com`;
    const created = await adminCreate(["--email", email, "--name", "Ops"], { ADMIN_PASSWORD: PASSWORD });
    expect(created).toMatchObject({ code: 0, out: expect.stringContaining(`Created admin ${email}`) });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user).toMatchObject({ role: "ADMIN", name: "Ops" });
    // Its welcome email waits in the outbox: removed, or a later file's stack in this worker would relay it.
    onTestFinished(async () => void (await db.outboxEvent.deleteMany({ where: { data: { path: ["userId"], equals: user.id } } })));

    const again = await adminCreate(["--email", email, "--password", PASSWORD]);
    expect(again).toMatchObject({ code: 1, out: expect.stringContaining("run again with --promote-existing") });
    const promoted = await adminCreate(["--email", email, "--password", PASSWORD, "--promote-existing"]);
    expect(promoted).toMatchObject({ code: 0, out: expect.stringContaining(`Promoted ${email}`) });
  }, 60_000);

  describe("on a database nobody has migrated", () => {
    const name = `admin_create_empty_${process.pid}`;
    const server = new URL(process.env.DATABASE_URL!);
    const admin = () => new pg.Client({ connectionString: new URL("/postgres", server).toString() });
    afterAll(async () => {
      const c = admin();
      await c.connect();
      await c.query(`drop database if exists ${name}`);
      await c.end();
    });

    it("says to run db:deploy first instead of a Prisma error", async () => {
      const c = admin();
      await c.connect();
      await c.query(`create database ${name}`);
      await c.end();
      const { code, out } = await adminCreate(["--email", "ops@example.com", "--password", PASSWORD], { DATABASE_URL: new URL(`/${name}`, server).toString() });
      expect(code).toBe(1);
      expect(out).toContain("This database has no tables yet: run `npm run db:deploy` against it first");
      expect(out).not.toContain("does not exist in the current database");
    }, 60_000);
  });
});
