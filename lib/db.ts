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
