// Test data made and removed by the tests themselves, straight in the e2e database (the app's
// own paths are what the specs exercise). Admins are made with the real `npm run admin:create`.
// Members made here are verified (as every account from before verification is); a spec that
// signs up through the browser verifies through the mail catcher's inbox.
//
// Every test also:
// - comes from its own client address: the e2e app trusts one proxy hop (TRUSTED_PROXY_HOPS=1 in
//   scripts/e2e-server.ts) and each context sends `x-forwarded-for` as that proxy would, so the
//   per-client limits see one client per test, as production sees one per person;
// - fails on a Content-Security-Policy violation in any page it opened.
import { execFile } from "node:child_process";
import { randomInt, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { test as base, expect, type BrowserContext } from "@playwright/test";
import pg from "pg";
import { hashPassword } from "../lib/accounts/password";
import { hashToken, newSessionToken } from "../lib/accounts/session-tokens";
import { E2E } from "./config";

export type Person = { name: string; email: string; password: string };

/** A dead letter written straight into the database (the real path is exercised elsewhere). */
export type SeedLetter = {
  message: string;
  status?: "OPEN" | "RETRYING" | "RESOLVED";
  errorName?: string;
  user?: { id: string; name: string; email: string } | null;
  label?: string;
  /** Minutes ago of the last failure. */
  ago?: number;
  resolutionNote?: string;
  /** Attempts recorded (default 5); null: the recorder could not read them from the executor. */
  attempts?: number | null;
};
export type LetterSeeder = {
  /** A function id of this test's own, so filters and counts see only its letters. */
  functionId: string;
  functionName: string;
  seed(letters: SeedLetter[]): Promise<string[]>;
};
export type Account = Person & { id: string };

type Fixtures = {
  /** This test's client address, as the trusted proxy in front of the app reports it. */
  clientAddress: string;
  /** CSP violations Chromium reported; checked to be none after each test. */
  cspViolations: string[];
  /** Someone who has no account yet; whatever account the test makes for them is deleted after. */
  visitor: Person;
  /** An existing member. */
  member: Account;
  /** An existing admin, created with `npm run admin:create`. */
  admin: Account;
  /** Logs a browser context in as `account` without going through the form. */
  signIn: (context: BrowserContext, account: Account) => Promise<string>;
  sessionCount: (account: Account) => Promise<number>;
  letters: LetterSeeder;
};

const run = promisify(execFile);

// One address per test: a random /16 of the benchmarking range per run, counting up from there.
const runNet = randomInt(0, 2);
let nextHost = randomInt(0, 30_000);
const newClientAddress = () => {
  const host = nextHost++ % 65_000;
  return `198.${18 + runNet}.${Math.floor(host / 250)}.${(host % 250) + 1}`;
};

export const test = base.extend<Fixtures, { db: pg.Pool }>({
  clientAddress: async ({}, use) => {
    await use(newClientAddress());
  },

  extraHTTPHeaders: async ({ extraHTTPHeaders, clientAddress }, use) => {
    await use({ ...extraHTTPHeaders, "x-forwarded-for": clientAddress });
  },

  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      context.on("console", (message) => {
        if (/Content[ -]Security[ -]Policy/i.test(message.text())) violations.push(`${message.location().url}: ${message.text()}`);
      });
      await use(violations);
      expect(violations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],

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
    // Settled, as a member of some standing is: welcome email sent (with its delivery marker), so
    // their account page has nothing to watch — a queued one with no event would poll for ever.
    const { rows } = await db.query<{ id: string }>(
      `with member as (
         insert into users (id, email, name, password_hash, role, email_verified_at, welcome_email_status)
         values (gen_random_uuid(), $1, $2, $3, 'USER', now(), 'SENT') returning id)
       insert into email_deliveries (id, user_id, kind, provider_id) select gen_random_uuid(), id, 'welcome', 'e2e-fixture' from member returning user_id as id`,
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

  letters: async ({ db }, use) => {
    const functionId = `signup-app-e2e.${randomUUID().slice(0, 8)}`;
    const functionName = `E2E job ${functionId.slice(-8)}`;
    await use({
      functionId,
      functionName,
      async seed(letters) {
        const ids: string[] = [];
        for (const l of letters) {
          const at = new Date(Date.now() - (l.ago ?? 5) * 60_000);
          const { rows } = await db.query<{ id: string }>(
            `insert into dead_letter_jobs (id, function_id, function_name, run_id, last_run_id, event_name, payload, error_name, error_message,
               attempts, history, first_failed_at, last_failed_at, status, resolved_at, resolved_by, resolution_note, updated_at,
               subject_user_id, subject_email, subject_name, subject_label)
             values (gen_random_uuid(), $1, $2, $3, $3, 'user/account.created', $4, $5, $6, $16::int, '[]', $7, $7, $8, $9, $10, $11, now(), $12, $13, $14, $15)
             returning id`,
            [
              functionId, functionName, `e2e-run-${randomUUID()}`,
              JSON.stringify({ name: "user/account.created", data: { userId: l.user?.id ?? randomUUID() } }),
              l.errorName ?? "Error", l.message, at, l.status ?? "OPEN",
              l.status === "RESOLVED" ? at : null, l.status === "RESOLVED" ? "seed@example.com" : null, l.status === "RESOLVED" ? (l.resolutionNote ?? "Seeded") : null,
              l.user?.id ?? null, l.user?.email ?? null, l.user?.name ?? null, l.label ?? null,
              l.attempts === undefined ? 5 : l.attempts,
            ],
          );
          ids.push(rows[0]!.id);
        }
        return ids;
      },
    });
    await db.query("delete from dead_letter_jobs where function_id = $1", [functionId]);
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

export { expect };
