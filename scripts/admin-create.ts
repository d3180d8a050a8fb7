// npm run admin:create -- --email ada@example.com --name "Ada Lovelace" --password "…" [--promote-existing]
// The only way to make an admin: from a shell with database access, never from a web form.
// The password may also come from ADMIN_PASSWORD (keeps it out of shell history).
// An address that already has an account is refused unless --promote-existing is given; promoting
// sets the new password and ends every session of that account. Both are written to the audit log.
import os from "node:os";
import { emailSchema, signUpSchema } from "../lib/accounts/schemas";
import { cliOptions } from "./lib/cli";
import { applyMigrations, ensureLocalDatabase } from "./lib/local-db";

// A refused password is never repeated (the helper's "(got …)" would print it).
const { values, flags } = cliOptions('npm run admin:create -- --email you@example.com --name "Your Name" --password "…" [--promote-existing]', {
  values: { email: emailSchema, name: signUpSchema.shape.name.optional(), password: signUpSchema.shape.password },
  flags: ["promote-existing"],
  secret: ["password"],
  fallback: { password: { from: "ADMIN_PASSWORD", value: process.env.ADMIN_PASSWORD } },
});

// The local database is brought up to date as `npm run dev` does (a fresh checkout may make its
// admin before it first runs the app); a DATABASE_URL one is the operator's to migrate.
const local = process.env.DATABASE_URL ? undefined : await ensureLocalDatabase();
if (local) {
  process.env.DATABASE_URL = local.appUrl;
  try {
    applyMigrations(local.appUrl);
  } catch (error) {
    console.error((error as Error).message);
    await local.stop();
    process.exit(1);
  }
}

// Imported after DATABASE_URL is settled: the env module reads it on first use.
const { createAdmin } = await import("../lib/accounts/users");
const { getDb } = await import("../lib/db");
try {
  const { email, name, password } = values;
  const { user, outcome, sessionsEnded, welcomeQueued } = await createAdmin({
    email,
    name: name ?? email.split("@")[0]!,
    password,
    promoteExisting: flags["promote-existing"],
    operator: `${os.userInfo().username}@${os.hostname()}`,
  });
  console.log(
    outcome === "created"
      ? `Created admin ${user.email} (${user.id})`
      : `Promoted ${user.email} (${user.id}) to admin: new password set, ${sessionsEnded} session${sessionsEnded === 1 ? "" : "s"} ended`,
  );
  // Written to the outbox with the account; the running app's outbox sweep hands it to the executor.
  if (welcomeQueued) console.log("Its welcome email is queued: the running app sends it with its next outbox sweep (within about two minutes).");
} catch (error) {
  // P2021: a table is missing — a database nobody has migrated yet.
  if ((error as { code?: string }).code === "P2021") console.error("This database has no tables yet: run `npm run db:deploy` against it first (docs/production.md).");
  else console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await getDb().$disconnect();
  await local?.stop();
}
