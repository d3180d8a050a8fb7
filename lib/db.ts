import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

function createClient() {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: env.DATABASE_URL }),
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
