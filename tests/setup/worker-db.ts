// Runs before every test file: points DATABASE_URL at this worker's own copy of the migrated
// template, creating it on first use. Files in one worker run one after another, so they share it.
import pg from "pg";
import { inject } from "vitest";

const workerId = process.env.VITEST_POOL_ID ?? "0";
const database = `app_w${workerId}`;
const serverUrl = inject("pgServerUrl");

const admin = new pg.Client({ connectionString: `${serverUrl}postgres` });
await admin.connect();
try {
  const found = await admin.query("select 1 from pg_database where datname = $1", [database]);
  if (!found.rowCount) {
    await admin.query(
      `create database ${pg.escapeIdentifier(database)} template ${pg.escapeIdentifier(inject("appTemplateDb"))}`,
    );
  }
} finally {
  await admin.end();
}

process.env.DATABASE_URL = `${serverUrl}${database}`;
