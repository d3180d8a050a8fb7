// npm run admin:create -- --email ada@example.com --name "Ada Lovelace" --password "…" [--promote-existing]
// The only way to make an admin: from a shell with database access, never from a web form.
// The password may also come from ADMIN_PASSWORD (keeps it out of shell history).
// An address that already has an account is refused unless --promote-existing is given; promoting
// sets the new password and ends every session of that account. Both are written to the audit log.
import os from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { emailSchema, signUpSchema } from "../lib/accounts/schemas";
import { ensureLocalDatabase } from "./lib/local-db";

const { values } = parseArgs({
  options: { email: { type: "string" }, name: { type: "string" }, password: { type: "string" }, "promote-existing": { type: "boolean", default: false } },
});

const input = z
  .object({
    email: emailSchema,
    name: signUpSchema.shape.name.optional(),
    password: signUpSchema.shape.password,
  })
  .safeParse({ email: values.email, name: values.name, password: values.password ?? process.env.ADMIN_PASSWORD });

if (!input.success) {
  for (const issue of input.error.issues) console.error(`--${issue.path.join(".")}: ${issue.message}`);
  console.error('usage: npm run admin:create -- --email you@example.com --name "Your Name" --password "…" [--promote-existing]');
  process.exit(2);
}

const local = process.env.DATABASE_URL ? undefined : await ensureLocalDatabase();
if (local) process.env.DATABASE_URL = local.appUrl;

// Imported after DATABASE_URL is settled: the env module reads it on first use.
const { createAdmin } = await import("../lib/accounts/users");
const { getDb } = await import("../lib/db");
try {
  const { email, name, password } = input.data;
  const { user, outcome, sessionsEnded, welcomeQueued } = await createAdmin({
    email,
    name: name ?? email.split("@")[0]!,
    password,
    promoteExisting: values["promote-existing"],
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
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await getDb().$disconnect();
  await local?.stop();
}
