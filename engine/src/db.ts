import { createHash } from "node:crypto";
import pg from "pg";

export type Db = pg.Pool;
export type Tx = pg.PoolClient;

// Postgres bigint/int8 (bigserial ids, counts) arrives as strings by default; ours fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Every parameterised query becomes a named prepared statement (name = hash of its text), so each
 * connection parses and plans it once. The engine's SQL is a fixed set of strings, so the number of
 * statements per connection stays small.
 */
class PreparedClient extends pg.Client {
  /** On the synchronous-commit pool: a commit that wrote waits for the WAL flush. */
  durable = false;
  inTx = false;
  txWrote = false;
}
class DurableClient extends PreparedClient {
  override durable = true;
}

/**
 * Round trips to PostgreSQL (every statement, both pools; `byText` per statement text) and durable
 * commits (transactions on the synchronous-commit pool that wrote or locked rows, explicit or
 * single-statement), for the bench and the hot-path tests.
 */
export const dbStats = { statements: 0, durableCommits: 0, byText: new Map<string, number>() };
const WRITES = /\b(insert|update|delete)\b|\bfor update\b/i;
function count(client: PreparedClient, text: string) {
  dbStats.statements++;
  dbStats.byText.set(text, (dbStats.byText.get(text) ?? 0) + 1);
  if (text === "begin") {
    client.inTx = true;
    client.txWrote = false;
  } else if (text === "commit" || text === "rollback") {
    if (text === "commit" && client.durable && client.txWrote) dbStats.durableCommits++;
    client.inTx = false;
  } else if (WRITES.test(text)) {
    if (client.inTx) client.txWrote = true;
    else if (client.durable) dbStats.durableCommits++;
  }
}

const names = new Map<string, string>();
const baseQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
(PreparedClient.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
  this: PreparedClient,
  ...args: unknown[]
) {
  const [text, values, callback] = args;
  if (typeof text === "string") count(this, text);
  // (text, values) from a pool client, or (text, values, callback) from pool.query(): both become
  // the named statement (pool.query passes its own callback, which the first version missed, so
  // every pool.query was parsed and planned again).
  if (typeof text === "string" && Array.isArray(values) && (args.length === 2 || (args.length === 3 && typeof callback === "function"))) {
    let name = names.get(text);
    if (!name) {
      name = `e_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
      names.set(text, name);
    }
    return args.length === 3 ? baseQuery.call(this, { name, text, values }, callback) : baseQuery.call(this, { name, text, values });
  }
  return baseQuery.apply(this, args);
};

/**
 * `asyncCommit` pools skip the WAL flush wait on commit. Only for writes that recovery redoes
 * anyway (claims, lease renewals, "run started"): results and accepted events use a normal pool.
 */
export function createPool(databaseUrl: string, max = 10, asyncCommit = false): Db {
  const pool = new pg.Pool({
    Client: asyncCommit ? PreparedClient : DurableClient,
    connectionString: databaseUrl,
    max,
    // The engine's statements are a fixed set of OLTP statements on indexes: a generic plan per
    // connection fits every parameter value, and re-planning the CTE-heavy ones on each call (what
    // the default plan cache mode keeps doing for them) costs more than executing them.
    // A generic plan is made on a connection's first call, often while the tables are still tiny
    // (a fresh engine), and kept until autoanalyze: with seqscan allowed, the claim's "mark the run
    // started" planned a scan of every queued run, so each claim cost O(backlog) (0.8 ms a claim
    // with 2,000 queued, most of the claim's time) until stats caught up. Without seqscan the
    // planner takes the index paths every statement here has; a table without one is still scanned.
    options: `-c plan_cache_mode=force_generic_plan -c enable_seqscan=off${asyncCommit ? " -c synchronous_commit=off" : ""}`,
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener Node
  // would crash the engine. The next query simply gets a new connection.
  pool.on("error", () => {});
  return pool;
}

export async function withTx<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withClient(db, async (client) => {
    await client.query("begin");
    try {
      const out = await fn(client);
      await client.query("commit");
      return out;
    } catch (err) {
      await client.query("rollback").catch(() => {});
      throw err;
    }
  });
}

/**
 * A client checked out of the pool for `fn`. While checked out, a client is no longer covered by
 * the pool's 'error' listener: a connection the server ends (a restart of PostgreSQL ends every
 * one) emits 'error' on the client itself, and with no listener that would crash the engine. The
 * query in flight fails on its own; the client is then discarded, not returned to the pool.
 */
export async function withClient<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => (lost = err);
  client.on("error", onError);
  try {
    return await fn(client);
  } finally {
    client.removeListener("error", onError);
    // A lost connection is destroyed instead of being handed to the next caller.
    client.release(lost ?? false);
    if (lost) client.on("error", () => {});
  }
}

export const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Creates the engine's database when it does not exist yet (first start on a fresh local server),
 * through the server's `postgres` database. Any other connection error is left to the caller.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const probe = new pg.Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err;
  } finally {
    await probe.end().catch(() => {});
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  } catch (err) {
    if ((err as { code?: string }).code !== "42P04") throw err; // created concurrently: fine
  } finally {
    await admin.end().catch(() => {});
  }
  return true;
}
