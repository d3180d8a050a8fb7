// Test data made and removed by the tests themselves, straight in the e2e database (the app's
// own paths are what the specs exercise). Admins are made with the real `npm run admin:create`.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { test as base, type BrowserContext } from "@playwright/test";
import pg from "pg";
import { hashPassword } from "../lib/accounts/password";
import { hashToken, newSessionToken } from "../lib/accounts/session-tokens";
import { E2E } from "./config";

export type Person = { name: string; email: string; password: string };
export type Account = Person & { id: string };

type Fixtures = {
  /** Someone who has no account yet; whatever account the test makes for them is deleted after. */
  visitor: Person;
  /** An existing member. */
  member: Account;
  /** An existing admin, created with `npm run admin:create`. */
  admin: Account;
  /** Logs a browser context in as `account` without going through the form. */
  signIn: (context: BrowserContext, account: Account) => Promise<string>;
  sessionCount: (account: Account) => Promise<number>;
};

const run = promisify(execFile);

export const test = base.extend<Fixtures, { db: pg.Pool }>({
  db: [
    async ({}, use) => {
      const pool = new pg.Pool({ connectionString: E2E.databaseUrl, max: 2 });
      await use(pool);
      await pool.end();
    },
    { scope: "worker" },
  ],

  visitor: async ({ db }, use) => {
    const person = newPerson("visitor");
    await use(person);
    await db.query("delete from users where email = $1", [person.email]);
  },

  member: async ({ db }, use) => {
    const person = newPerson("member");
    const { rows } = await db.query<{ id: string }>(
      "insert into users (id, email, name, password_hash, role) values (gen_random_uuid(), $1, $2, $3, 'USER') returning id",
      [person.email, person.name, await hashPassword(person.password)],
    );
    await use({ ...person, id: rows[0]!.id });
    await db.query("delete from users where email = $1", [person.email]);
  },

  admin: async ({ db }, use) => {
    const person = newPerson("admin");
    await run("node_modules/.bin/tsx", ["--conditions=react-server", "scripts/admin-create.ts", "--email", person.email, "--name", person.name], {
      env: { ...process.env, DATABASE_URL: E2E.databaseUrl, ADMIN_PASSWORD: person.password },
    });
    const { rows } = await db.query<{ id: string }>("select id from users where email = $1 and role = 'ADMIN'", [person.email]);
    if (!rows[0]) throw new Error("admin:create did not create an admin");
    await use({ ...person, id: rows[0].id });
    await db.query("delete from users where email = $1", [person.email]);
  },

  signIn: async ({ db }, use) => {
    await use(async (context, account) => {
      const token = newSessionToken();
      await db.query(
        "insert into sessions (id, token_hash, user_id, expires_at) values (gen_random_uuid(), $1, $2, now() + interval '1 day')",
        [hashToken(token), account.id],
      );
      await context.addCookies([{ name: "session", value: token, url: `http://127.0.0.1:${E2E.appPort}`, httpOnly: true, sameSite: "Lax" }]);
      return token;
    });
  },

  sessionCount: async ({ db }, use) => {
    await use(async (account) => {
      const { rows } = await db.query<{ n: number }>("select count(*)::int as n from sessions where user_id = $1", [account.id]);
      return rows[0]!.n;
    });
  },
});

function newPerson(kind: string): Person {
  const id = randomUUID().slice(0, 8);
  return { name: `E2E ${kind} ${id}`, email: `e2e-${kind}-${id}@example.com`, password: `pw-${randomUUID()}` };
}

export { expect } from "@playwright/test";
