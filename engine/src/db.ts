import pg from "pg";

export type Db = pg.Pool;
export type Tx = pg.PoolClient;

// Postgres bigint/int8 (bigserial ids, counts) arrives as strings by default; ours fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * `asyncCommit` pools skip the WAL flush wait on commit. Only for writes that recovery redoes
 * anyway (claims, lease renewals, "run started"): results and accepted events use a normal pool.
 */
export function createPool(databaseUrl: string, max = 10, asyncCommit = false): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    ...(asyncCommit ? { options: "-c synchronous_commit=off" } : {}),
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener Node
  // would crash the engine. The next query simply gets a new connection.
  pool.on("error", () => {});
  return pool;
}

export async function withTx<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query("begin");
    const out = await fn(client);
    await client.query("commit");
    return out;
  } catch (err) {
    await client.query("rollback").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export const iso = (ms: number) => new Date(ms).toISOString();
