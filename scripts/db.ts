// `npm run db:* -- …`: runs a Prisma CLI command against DATABASE_URL, or, when it is unset,
// against the local embedded database (started for the command if `npm run dev` is not running).
import { spawnSync } from "node:child_process";
import { ensureLocalDatabase } from "./lib/local-db";

const args = process.argv.slice(2);
const local = process.env.DATABASE_URL ? undefined : await ensureLocalDatabase();
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? local!.appUrl };

let status = 0;
// `migrate dev` fails on a database with unapplied migrations (no shadow passed to its data-loss
// check), so `db:migrate` deploys first; see prisma.config.ts.
const steps = args[0] === "migrate" && args[1] === "dev" ? [["migrate", "deploy"], args] : [args];
for (const step of steps) {
  status = spawnSync("node_modules/.bin/prisma", step, { env, stdio: "inherit" }).status ?? 1;
  if (status !== 0) break;
}
await local?.stop();
process.exit(status);
