// PostgreSQL ending a connection the engine holds (a restart ends them all) fails the work on that
// connection; it must not take the engine process down. Found by `npm run chaos` (PostgreSQL
// restart under load): a client checked out for a transaction had no 'error' listener, so the
// server's "terminating connection" became an uncaught 'error' event and the engine exited.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPool, withTx, type Db } from "../src/db";
import { createTestDatabase } from "./helpers";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let admin: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  db = createPool(database.url, 2);
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await db?.end();
  await database?.drop();
});

it("a connection ended by the server inside a transaction fails that transaction, not the process", async () => {
  const ended = withTx(db, async (tx) => {
    const { rows } = await tx.query<{ pid: number }>("select pg_backend_pid() as pid");
    // Between two statements, as when a transaction awaits other work: the server ends the session.
    const gone = new Promise((resolve) => tx.once("end", resolve));
    await admin.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
    await gone;
    await tx.query("select 1");
  });
  await expect(ended).rejects.toThrow();
  // The pool hands out a working connection afterwards.
  await expect(withTx(db, (tx) => tx.query("select 1 as one").then((r) => r.rows[0]))).resolves.toEqual({ one: 1 });
});
