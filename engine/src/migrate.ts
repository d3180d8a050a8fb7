// Numbered SQL migrations (engine/migrations/NNN_name.sql), each in its own transaction, serialised
// across engine processes by a transaction-level advisory lock.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withTx, type Db } from "./db";

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "migrations");
// Arbitrary constant shared by every engine process: "engine migrations" lock id.
const LOCK_ID = 727_001;

export async function migrate(db: Db): Promise<string[]> {
  const files = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  for (const file of files) {
    const id = Number(file.slice(0, 3));
    await withTx(db, async (client) => {
      await client.query("select pg_advisory_xact_lock($1)", [LOCK_ID]);
      await client.query(
        "create table if not exists engine_migrations (id int primary key, name text not null, applied_at timestamptz not null default now())",
      );
      const done = await client.query("select 1 from engine_migrations where id = $1", [id]);
      if (!done.rowCount) {
        await client.query(fs.readFileSync(path.join(MIGRATIONS_DIR, file), "utf8"));
        await client.query("insert into engine_migrations (id, name) values ($1, $2)", [id, file]);
        applied.push(file);
      }
    });
  }
  return applied;
}
