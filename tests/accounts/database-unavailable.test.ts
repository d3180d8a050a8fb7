// While PostgreSQL restarts, a request that needs it gets a 503 saying to try again — not a 500
// "something went wrong". Found by `npm run chaos` (PostgreSQL restart under load): sign-ups
// during the outage were answered 500. The errors here are the real ones Prisma and its pg adapter
// throw: a server that does not listen, and a session the server ends.
import { PrismaPg } from "@prisma/adapter-pg";
import { freePort } from "@signup-jobs/devkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { isDatabaseUnavailable, toErrorResponse, UNAVAILABLE_MESSAGE } from "@/lib/errors";
import { env } from "@/lib/env";

const clients: PrismaClient[] = [];
const client = (connectionString: string) => {
  const c = new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
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
