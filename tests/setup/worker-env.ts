// Runs before every test file: points DATABASE_URL at this worker's own copy of the migrated
// template, creating it on first use. Files in one worker run one after another, so they share it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "@signup-jobs/devkit";
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

// Background-work tests (tests/harness/background.ts) start the engine and the mail catcher on
// these ports. They are fixed before any test module loads, because the app reads its settings
// (and the Inngest client its mode) once, at first use.
const [enginePort, mailPort] = await Promise.all([freePort(), freePort()]);
process.env.INNGEST_DEV = `http://127.0.0.1:${enginePort}`;
process.env.RESEND_BASE_URL = `http://127.0.0.1:${mailPort}`;
process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), `app-files-w${workerId}-`));
process.env.OUTBOX_SWEEP_AFTER_MS = "0";
// Every email waits for its slot at the provider's pace (lib/email/pace.ts); tests that are not
// about pacing run at a pace that never holds them up. tests/background/mail-pace.test.ts sets its own.
process.env.RESEND_REQUESTS_PER_SECOND = "1000";
delete process.env.RESEND_BULK_SHARE;
process.env.LOG_LEVEL ??= "silent"; // expected step failures are asserted, not printed
