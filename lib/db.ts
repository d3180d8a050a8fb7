import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PoolConfig } from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Transaction = Awaited<ReturnType<Adapter["startTransaction"]>>;

/**
 * Prisma's pg adapter, with one repair. Prisma 6.19 ends a transaction by sending COMMIT or
 * ROLLBACK and then calling the transaction's commit() / rollback() — the only place the adapter
 * gives its connection back to the pool. When that statement fails (the server ended the session:
 * a database restart, a failover, pg_terminate_backend; or a COMMIT the server refuses), the call
 * never comes and the pool is one connection short for good. After as many such transactions as
 * the pool has connections (two or three database restarts under load, measured), every query
 * waited for a connection for ever. Here a failed COMMIT or ROLLBACK gives the connection back
 * itself: the pool drops one whose session is gone, and keeps one whose COMMIT was refused (the
 * server has ended that transaction).
 */
class PgAdapterFactory extends PrismaPg {
  override async connect(): Promise<Adapter> {
    const adapter = await super.connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => releasedWhenEndFails(await startTransaction(isolationLevel));
    return adapter;
  }
}

function releasedWhenEndFails(tx: Transaction): Transaction {
  const executeRaw = tx.executeRaw.bind(tx);
  const commit = tx.commit.bind(tx);
  const rollback = tx.rollback.bind(tx);
  // One release per transaction: should Prisma call rollback() after ours (a timeout racing the
  // failed statement), a second release would give the pool the same client twice.
  let released = false;
  const once = (release: () => Promise<void>) => async () => {
    if (released) return;
    released = true;
    await release();
  };
  tx.commit = once(commit);
  tx.rollback = once(rollback);
  tx.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      if (query.sql === "COMMIT" || query.sql === "ROLLBACK") await tx.rollback();
      throw error;
    }
  };
  return tx;
}

/**
 * How long a query waits to connect, or for a pooled connection, before it fails (a 503 that says
 * try again, in lib/errors.ts). pg's default is for ever: a database host that drops packets (a
 * failover to a new address, a network fault) held each request until the kernel gave up on the
 * connection, about two minutes, while people watched a spinner. Transactions already wait at most
 * Prisma's 2 s for a connection (P2028).
 */
const CONNECT_TIMEOUT_MS = 5_000;

/** The app's database adapter (exported for the tests that break connections under it). */
export function pgAdapter(config: PoolConfig): PrismaPg {
  // Keep-alive probes let the kernel notice a connection whose server went away without a word.
  return new PgAdapterFactory({ connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, ...config });
}

function createClient() {
  return new PrismaClient({
    adapter: pgAdapter({ connectionString: env.DATABASE_URL }),
    // Secrets never leave the data layer by accident; the login query asks for the hash explicitly.
    omit: { user: { passwordHash: true } },
  });
}

type Client = ReturnType<typeof createClient>;

// One client per process, kept across dev hot reloads.
const store = globalThis as unknown as { prisma?: Client };

export function getDb(): Client {
  return (store.prisma ??= createClient());
}

/** The shared Prisma client, created on first use (the build never connects). */
export const db: Client = new Proxy({} as Client, {
  get(_target, key) {
    const client = getDb();
    const value = Reflect.get(client, key);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

/** For the health route: true when the database answers. */
export async function checkDatabase(): Promise<boolean> {
  try {
    await db.$queryRaw`select 1`;
    return true;
  } catch {
    return false;
  }
}

/**
 * Repeats a batched delete — `deleteBatch(limit)` deletes at most `limit` rows and returns how
 * many — until a batch comes back short, at most `maxBatches` times; returns the total. Small
 * batches keep each delete's locks short on a big table, and the bound keeps one run short.
 */
export async function deleteInBatches(deleteBatch: (limit: number) => Promise<number>, { batch, maxBatches }: { batch: number; maxBatches: number }): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const count = await deleteBatch(batch);
    total += count;
    if (count < batch) break;
  }
  return total;
}
