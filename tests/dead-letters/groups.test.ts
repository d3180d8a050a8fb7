// Error groups and the counters the dashboard reads (migration 20261201090000): the database keeps
// them in step with every insert, update and delete, and a rebuild from the rows agrees.
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { countDeadLetters, deadLetterOverview, listErrorGroups, tabCounts } from "@/lib/dead-letters/queries";
import { recordDeadLetter } from "@/lib/dead-letters/record";
import { subjectOf } from "@/lib/dead-letters/subject";
import { makeUser } from "@/tests/factories";

const pattern = async (message: string) => (await db.$queryRaw<{ p: string }[]>`select dead_letter_error_pattern(${message}) as p`)[0]!.p;

async function record(message: string, opts: { fn?: string; userId?: string; errorName?: string } = {}) {
  const subject = opts.userId ? await subjectOf({ name: "user/account.created", data: { userId: opts.userId } }) : undefined;
  return recordDeadLetter({
    functionId: opts.fn ?? "signup-app-user.welcome-email",
    functionName: "Send welcome email",
    runId: `run-${randomUUID()}`,
    event: { name: "user/account.created", data: { userId: opts.userId ?? randomUUID() } },
    error: { name: opts.errorName ?? "NonRetriableError", message },
    attempts: 1,
    failedAt: new Date(),
    subject,
  });
}

/** The counters as a rebuild from the rows computes them. */
async function rebuilt() {
  const live = await db.deadLetterGroup.findMany({ orderBy: { groupKey: "asc" } });
  await db.$executeRaw`select dead_letter_counters_rebuild()`;
  const fresh = await db.deadLetterGroup.findMany({ orderBy: { groupKey: "asc" } });
  const strip = (rows: typeof live) => rows.filter((g) => g.openCount + g.retryingCount + g.resolvedCount > 0).map((g) => ({ k: g.groupKey, o: g.openCount, r: g.retryingCount, d: g.resolvedCount, u: g.usersCount }));
  return { live: strip(live), fresh: strip(fresh) };
}

beforeEach(async () => {
  await db.deadLetterJob.deleteMany();
});

describe("error fingerprint", () => {
  it("replaces what varies between failures of one cause, and keeps HTTP statuses", async () => {
    expect(await pattern("Email provider answered 422: jane+x@example.com was rejected (#12345)")).toBe("Email provider answered 422: <email> was rejected (#<n>)");
    expect(await pattern("User 0b6f1c9e-7f39-4a4e-8d53-3e0c2f9b1a22 not found after 3 attempts")).toBe("User <uuid> not found after <n> attempts");
    expect(await pattern("run 01JDZ8YQ4N6V3K2M1P0R9S8T7W took 1.5 s; token deadbeefcafe1234")).toBe("run <id> took <n> s; token <id>");
    expect(await pattern("Email provider answered 503: service unavailable")).not.toBe(await pattern("Email provider answered 422: service unavailable"));
    expect(await pattern("Unreadable image (#157), HTTP 500")).toBe("Unreadable image (#<n>), HTTP 500");
  });
});

describe("error groups and counters", () => {
  it("groups by function and fingerprint, counts per status and affected users, and agrees with a rebuild", async () => {
    const [ann, bob] = await Promise.all([makeUser({ name: "Ann" }), makeUser({ name: "Bob" })]);
    const a1 = await record(`Email provider answered 422: ${ann.email} was rejected`, { userId: ann.id });
    await record(`Email provider answered 422: ${bob.email} was rejected`, { userId: bob.id });
    await record(`Email provider answered 422: ${bob.email} was rejected`, { userId: bob.id });
    await record("Email provider answered 503: service unavailable", { userId: ann.id, errorName: "Error" });
    await record("Email provider answered 422: x@example.com was rejected", { fn: "signup-app-digest.send", userId: ann.id });

    const letter = await db.deadLetterJob.findUniqueOrThrow({ where: { id: a1.id } });
    expect(letter).toMatchObject({ subjectUserId: ann.id, subjectEmail: ann.email, subjectName: "Ann", errorPattern: "Email provider answered 422: <email> was rejected" });

    const groups = await listErrorGroups({ status: "OPEN" });
    expect(groups.map((g) => [g.functionId, g.errorName, g.count, g.usersCount])).toEqual([
      ["signup-app-user.welcome-email", "NonRetriableError", 3, 2],
      expect.anything(),
      expect.anything(),
    ]);
    expect(await tabCounts({ status: "OPEN" })).toMatchObject({ counts: { OPEN: 5, RETRYING: 0, RESOLVED: 0 }, total: 5, source: "counters" });

    // A status change moves the count between tabs; a retry failing with another error moves groups.
    await db.deadLetterJob.update({ where: { id: a1.id }, data: { status: "RESOLVED" } });
    await db.deadLetterJob.update({ where: { id: a1.id }, data: { errorMessage: "Email provider answered 503: service unavailable", errorName: "Error" } });
    const byGroup = await listErrorGroups({});
    expect(byGroup.find((g) => g.errorName === "Error" && g.functionId.endsWith("welcome-email"))?.count).toBe(2);
    expect(await countDeadLetters({ status: "RESOLVED" })).toBe(1);
    expect(await countDeadLetters({ status: "OPEN", q: "rejected" })).toBe(3);
    expect(await tabCounts({ status: "OPEN", userId: bob.id })).toMatchObject({ counts: { OPEN: 2, RESOLVED: 0 }, source: "rows" });

    const { live, fresh } = await rebuilt();
    expect(live).toEqual(fresh);

    await db.deadLetterJob.deleteMany({ where: { subjectUserId: bob.id } });
    const after = await rebuilt();
    expect(after.live).toEqual(after.fresh);
    expect((await deadLetterOverview()).status).toEqual({ OPEN: 2, RETRYING: 0, RESOLVED: 1 });
  });

  it("counts failures per day for the overview chart, including a retry that fails again", async () => {
    const before = (await deadLetterOverview()).series.at(-1)!.failures;
    const { id } = await record("boom");
    await db.deadLetterJob.update({ where: { id }, data: { lastFailedAt: new Date(Date.now() + 1000) } });
    expect((await deadLetterOverview()).series.at(-1)!.failures).toBe(before + 2);
  });

  it("names a scheduled job's window when no user is involved", async () => {
    const ts = Date.UTC(2026, 10, 30, 2, 0);
    expect(await subjectOf({ name: "inngest/scheduled.timer", data: {}, ts })).toMatchObject({ userId: null, label: "run for 2026-11-30 02:00 UTC" });
    expect(await subjectOf({ name: "digest/email.requested", data: { userId: randomUUID(), week: "2026-W49" } })).toMatchObject({ label: "week 2026-W49", email: null });
  });
});
