// While PostgreSQL restarts, a request that needs it gets a 503 saying to try again — not a 500
// "something went wrong". Found by `npm run chaos` (PostgreSQL restart under load): sign-ups
// during the outage were answered 500. The errors here are the real ones Prisma and its pg adapter
// throw: a server that does not listen, one that never answers, and a session the server ends. And
// the pool outlives such failures: a transaction that could not end gives its connection back.
import net from "node:net";
import { freePort } from "@signup-jobs/devkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { pgAdapter } from "@/lib/db";
import { isDatabaseUnavailable, toErrorResponse, UNAVAILABLE_MESSAGE } from "@/lib/errors";
import { env } from "@/lib/env";

const clients: PrismaClient[] = [];
const client = (connectionString: string, pool: { max?: number; connectionTimeoutMillis?: number } = {}) => {
  const c = new PrismaClient({ adapter: pgAdapter({ connectionString, ...pool }) });
  clients.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.$disconnect().catch(() => {})));
});

async function thrownBy(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected the query to fail");
}

async function expect503(error: unknown) {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const response = toErrorResponse(error);
  warn.mockRestore();
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("5");
  expect(await response.json()).toEqual({ error: { code: "unavailable", message: UNAVAILABLE_MESSAGE } });
}

describe("a database that is away", () => {
  it("is a 503 when nothing listens on its port (down, or restarting)", async () => {
    const url = new URL(env.DATABASE_URL);
    url.port = String(await freePort());
    const error = await thrownBy(client(url.toString()).$queryRaw`select 1`);
    expect(isDatabaseUnavailable(error)).toBe(true);
    await expect503(error);
  });

  it("is a 503 within 5 s when the server's address takes the connection and never answers (a failover, a network fault)", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const url = new URL(env.DATABASE_URL);
      url.port = String((silent.address() as net.AddressInfo).port);
      // Without a timeout this waited for ever (for the kernel, on a real network).
      const error = await thrownBy(client(url.toString()).$queryRaw`select 1`);
      expect(String(error)).toContain("Connection terminated due to connection timeout");
      expect(isDatabaseUnavailable(error)).toBe(true);
      await expect503(error);
    } finally {
      silent.close();
    }
  });

  it("is a 503 when the server ends the session (a fast shutdown ends them all)", async () => {
    const error = await thrownBy(client(env.DATABASE_URL).$queryRaw`select pg_terminate_backend(pg_backend_pid())`);
    expect(isDatabaseUnavailable(error)).toBe(true);
    await expect503(error);
  });

  it("is a 503 when the pool hands out a client whose connection broke", async () => {
    // pg's own error, as the chaos suite saw it reach a sign-up during the restart (a 500 then).
    await expect503(Object.assign(new Error("Client has encountered a connection error and is not queryable"), { clientVersion: "6.19.3" }));
  });

  it("is a 503 when every pooled connection is busy and a transaction cannot start in time (a burst of sign-ups)", async () => {
    // Prisma's own error, as a burst of 200 sign-ups at once (`npm run bench -- digest`) met it: 136
    // of them were answered 500 then. Nothing of such a transaction is committed.
    const error = new Prisma.PrismaClientKnownRequestError("Transaction API error: Unable to start a transaction in the given time.", { code: "P2028", clientVersion: "6.19.3" });
    expect(isDatabaseUnavailable(error)).toBe(true);
    await expect503(error);
  });

  it("leaves other database errors to be a 500", async () => {
    const error = await thrownBy(client(env.DATABASE_URL).$queryRaw`select * from no_such_table`);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("a transaction whose end fails", () => {
  // Two connections, and a wait for one that fails in 5 s instead of never: a connection kept by a
  // failed transaction shows as "timeout exceeded when trying to connect".
  const small = () => client(env.DATABASE_URL, { max: 2, connectionTimeoutMillis: 5_000 });

  it("gives its connection back when the server ended the session (a restart): the pool goes on serving", async () => {
    const db = small();
    for (let i = 0; i < 3; i++) {
      const error = await thrownBy(db.$transaction(async (tx) => tx.$queryRaw`select pg_terminate_backend(pg_backend_pid())`));
      expect(isDatabaseUnavailable(error)).toBe(true);
    }
    // Before the repair each of them kept a connection: this waited for one and timed out.
    await expect(db.$queryRaw`select 1 as one`).resolves.toEqual([{ one: 1 }]);
    await expect(db.$transaction([db.$queryRaw`select 2 as two`])).resolves.toEqual([[{ two: 2 }]]);
  });

  it("gives its connection back when the server refuses the COMMIT, and the pool keeps it", async () => {
    const db = small();
    const pids = new Set<number>();
    for (let i = 0; i < 3; i++) {
      // A deferred check fails at COMMIT: the server ends that transaction; the session lives on.
      const error = await thrownBy(
        db.$transaction(async (tx) => {
          const [session] = await tx.$queryRaw<{ pid: number }[]>`select pg_backend_pid() as pid`;
          pids.add(session!.pid);
          await tx.$executeRawUnsafe("create temp table parents_first (id int primary key, parent int references parents_first (id) deferrable initially deferred) on commit drop");
          await tx.$executeRawUnsafe("insert into parents_first values (1, 2)");
        }),
      );
      expect(String(error)).toMatch(/ForeignKeyConstraintViolation/);
    }
    await expect(db.$queryRaw`select 1 as one`).resolves.toEqual([{ one: 1 }]);
    // The same sessions served again: refused COMMITs did not cost the pool its connections.
    expect(pids.size).toBeLessThanOrEqual(2);
  });
});
