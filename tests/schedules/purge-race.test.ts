// The retention purge against a letter reopened while it runs: the reopened letter must survive.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { purgeResolvedDeadLetters } from "@/lib/dead-letters/retention";
import { env } from "@/lib/env";
import { makeDeadLetter } from "@/tests/factories";
import { waitFor } from "@/tests/harness/wait";

const reopener = new pg.Client({ connectionString: env.DATABASE_URL });
afterAll(() => reopener.end());

const resolvedLetter = (resolvedAt: Date) => makeDeadLetter({ status: "RESOLVED", failedAt: resolvedAt, resolvedAt });

describe("purge resolved dead letters, racing a reopen", () => {
  it("keeps a letter that an admin reopens while the purge waits for its row", async () => {
    const longAgo = new Date("2026-01-01T00:00:00Z");
    const reopened = await resolvedLetter(longAgo);
    const stale = await resolvedLetter(longAgo);

    // The admin's reopen has updated the row but not committed yet when the purge starts.
    await reopener.connect();
    await reopener.query("begin");
    await reopener.query("update dead_letter_jobs set status = 'OPEN', resolved_at = null where id = $1", [reopened]);

    let finished = false;
    const purge = purgeResolvedDeadLetters(new Date("2026-06-01T02:30:00Z"), 30).finally(() => (finished = true));
    // Either the purge went past the locked row, or it is blocked on it: commit the reopen then.
    await waitFor(async () => {
      if (finished) return true;
      const waiting = await db.$queryRaw<unknown[]>`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%delete from dead_letter_jobs%'`;
      return waiting.length > 0;
    }, "the purge to pass or wait on the reopened row");
    await reopener.query("commit");
    await purge;

    const left = await db.deadLetterJob.findMany({ where: { id: { in: [reopened, stale] } }, select: { id: true, status: true } });
    expect(left).toEqual([{ id: reopened, status: "OPEN" }]);
  });
});
