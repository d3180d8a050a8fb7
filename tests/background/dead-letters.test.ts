import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { inngest } from "@/inngest/client";
import { userEmailVerified } from "@/inngest/events";
import { retryDeadLetter, resolveDeadLetter, reopenDeadLetter, startBulkAction } from "@/lib/dead-letters/manage";
import { recordDeadLetter } from "@/lib/dead-letters/record";
import { relayOutbox } from "@/lib/outbox/relay";
import { AppError } from "@/lib/errors";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { waitFor } from "@/tests/harness/wait";
import { makeUser } from "@/tests/factories";
import { address, finishedRun, signUp, userState, WELCOME_FN } from "./helpers";

let stack: BackgroundStack;
let admin: { id: string; email: string };
beforeAll(async () => {
  stack = await startBackgroundStack();
  admin = await makeUser({ role: "ADMIN" });
});
afterAll(async () => {
  await stack?.stop();
});

const letterFor = (runId: string) => waitFor(() => db.deadLetterJob.findUnique({ where: { runId } }), `a dead letter for run ${runId}`);

/** A welcome email that the provider rejects (422) until the test "fixes" the address. */
async function rejectedSignUp() {
  const email = address("reject");
  const { userId, outboxIds } = await signUp(email);
  const run = await finishedRun(outboxIds[0]!, WELCOME_FN);
  expect(run.status).toBe("Failed");
  return { email, userId, run, letter: await letterFor(run.run_id) };
}

describe("dead letters", () => {
  it("records a run that failed for good, with its error, event and attempts", async () => {
    const { letter, userId, email } = await rejectedSignUp();
    expect(letter).toMatchObject({
      functionId: WELCOME_FN,
      functionName: "Send welcome email",
      eventName: userEmailVerified.name,
      errorName: "NonRetriableError",
      status: "OPEN",
      attempts: 1,
    });
    expect(letter.errorMessage).toContain("422");
    expect(letter.errorMessage).toContain(email);
    expect(letter.payload).toMatchObject({ name: userEmailVerified.name, data: { userId } });
  });

  it("counts every attempt of a function that always throws", async () => {
    // 503 more times than the function's 5 attempts: a transient error that never clears.
    const email = address("bounce503x9");
    const { outboxIds } = await signUp(email);
    const run = await finishedRun(outboxIds[0]!, WELCOME_FN);
    expect(run.status).toBe("Failed");
    const letter = await letterFor(run.run_id);
    expect(letter.attempts).toBe(5);
    expect(letter.errorName).toBe("Error");
    expect((await stack.mail.requests({ to: email })).map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
  });

  it("makes one row from duplicate failure events", async () => {
    const failure = {
      functionId: WELCOME_FN,
      functionName: "Send welcome email",
      runId: `run-${randomUUID()}`,
      event: { name: userEmailVerified.name, id: randomUUID(), data: { userId: randomUUID() } },
      error: { name: "Error", message: "boom" },
      attempts: 5,
      failedAt: new Date(),
    };
    const results = await Promise.all([recordDeadLetter(failure), recordDeadLetter(failure), recordDeadLetter(failure)]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.deadLetterJob.count({ where: { runId: failure.runId } })).toBe(1);
  });

  it("retry → new run → success resolves the letter by itself, with an audit trail", async () => {
    const { email, letter, userId } = await rejectedSignUp();
    stack.mail.addFault({ match: email.replace(/[+.]/g, "\\$&"), status: 200 }); // the cause is fixed
    await waitFor(async () => (await userState(userId)).welcomeEmailStatus === "FAILED", "the welcome email to be marked failed");
    const outboxId = await retryDeadLetter(letter.id, admin, { confirmedPermanent: true });
    expect(await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } })).toMatchObject({ status: "RETRYING", retryCount: 1, lastRetryEventId: outboxId });
    // On its way again for the person (and the overview's count), not "failed" while the retry runs.
    expect(await userState(userId)).toMatchObject({ welcomeEmailStatus: "QUEUED" });
    await relayOutbox({ ids: [outboxId] });

    const resolved = await waitFor(async () => {
      const row = await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } });
      return row.status === "RESOLVED" && row;
    }, "the letter to resolve itself");
    expect(resolved).toMatchObject({ resolvedBy: "retry" });
    expect(await stack.mail.messages({ to: email })).toHaveLength(1);
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).welcomeEmailStatus).toBe("SENT");
    const trail = await db.auditLog.findMany({ where: { targetId: letter.id }, orderBy: { createdAt: "asc" } });
    expect(trail.map((a) => [a.action, a.actorEmail])).toEqual([
      ["dead_letter.retry", admin.email],
      ["dead_letter.auto_resolved", "system"],
    ]);
  });

  it("a retry that fails again updates the same row: attempts and history grow", async () => {
    const { letter, userId } = await rejectedSignUp();
    const outboxId = await retryDeadLetter(letter.id, admin, { confirmedPermanent: true });
    await relayOutbox({ ids: [outboxId] });
    const again = await waitFor(async () => {
      const row = await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } });
      return row.status === "OPEN" && (row.history as unknown[]).length === 2 && row;
    }, "the retry's failure to land on the same letter");
    await waitFor(async () => (await userState(userId)).welcomeEmailStatus === "FAILED", "the welcome email to be marked failed again");
    expect(again.attempts).toBe(2);
    expect(again.lastRunId).not.toBe(letter.runId);
    expect(await db.deadLetterJob.count({ where: { eventId: letter.eventId } })).toBe(1);
  });

  it("names who the failure is about, and asks before retrying a permanent failure", async () => {
    const { letter, email, userId } = await rejectedSignUp();
    expect(letter).toMatchObject({ subjectUserId: userId, subjectEmail: email, subjectName: "Background Tester", errorName: "NonRetriableError" });
    await expect(retryDeadLetter(letter.id, admin)).rejects.toThrow(/permanent \(NonRetriableError\)/);
    expect((await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } })).status).toBe("OPEN");
  });

  it("refuses a second retry while one runs, and any retry of a resolved letter", async () => {
    const { letter } = await rejectedSignUp();
    const clicks = await Promise.allSettled([retryDeadLetter(letter.id, admin, { confirmedPermanent: true }), retryDeadLetter(letter.id, admin, { confirmedPermanent: true })]);
    expect(clicks.filter((c) => c.status === "fulfilled")).toHaveLength(1);
    const refused = clicks.find((c) => c.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AppError);
    expect(refused.reason.message).toBe("A retry is already running for this dead letter.");
    await relayOutbox();

    const other = await rejectedSignUp();
    await resolveDeadLetter(other.letter.id, admin, "Customer asked us to stop");
    await expect(retryDeadLetter(other.letter.id, admin, { confirmedPermanent: true })).rejects.toThrow("already resolved");
    await expect(resolveDeadLetter(other.letter.id, admin, "again")).rejects.toThrow("already resolved");
    await reopenDeadLetter(other.letter.id, admin, "Actually, try again");
    expect((await db.deadLetterJob.findUniqueOrThrow({ where: { id: other.letter.id } })).status).toBe("OPEN");
    await expect(retryDeadLetter(randomUUID(), admin, { confirmedPermanent: true })).rejects.toMatchObject({ code: "not_found" });
  });

  it("bulk-resolves everything matching a filter in the background, reporting progress", async () => {
    const marker = `bulk-${randomUUID()}`;
    const rows = Array.from({ length: 130 }, (_, i) => ({
      functionId: "signup-app-test.bulk",
      functionName: "Bulk test",
      runId: `${marker}-${i}`,
      lastRunId: `${marker}-${i}`,
      eventName: "test.event",
      payload: {},
      errorName: "Error",
      errorMessage: `${marker} failure ${i}`,
      attempts: 1,
      firstFailedAt: new Date(),
      lastFailedAt: new Date(),
    }));
    await db.deadLetterJob.createMany({ data: rows });
    const bulk = await startBulkAction("RESOLVE", { q: marker }, admin, "Known incident INC-42");
    expect(bulk.total).toBe(130);
    await relayOutbox({ ids: bulk.outboxIds });
    const done = await waitFor(async () => {
      const row = await db.bulkAction.findUniqueOrThrow({ where: { id: bulk.id } });
      return row.status === "DONE" && row;
    }, "the bulk action to finish", 60_000);
    expect(done).toMatchObject({ processed: 130, skipped: 0, total: 130 });
    expect(await db.deadLetterJob.count({ where: { errorMessage: { contains: marker }, status: "RESOLVED", resolutionNote: "Known incident INC-42", resolvedBy: admin.email } })).toBe(130);
  });

  it("sends nothing for a duplicate failure event delivered by the executor", async () => {
    const { letter } = await rejectedSignUp();
    // The executor may deliver inngest/function.failed more than once.
    const { ids } = await inngest.send({
      name: "inngest/function.failed",
      data: { function_id: WELCOME_FN, run_id: letter.runId, error: { name: "NonRetriableError", message: "dup" }, event: letter.payload },
    });
    await waitFor(async () => (await executorApi.eventRuns(ids[0]!)).some((r) => r.status === "Completed"), "the duplicate failure handler run");
    expect(await db.deadLetterJob.count({ where: { runId: letter.runId } })).toBe(1);
    expect((await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } })).errorMessage).not.toBe("dup");
  });
});
