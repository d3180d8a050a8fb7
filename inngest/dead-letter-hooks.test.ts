import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { onFailureRecordDeadLetter, originalEventData, type FailedRun, type StepRunner } from "@/inngest/dead-letter-hooks";
import { userAccountCreated } from "@/inngest/events";
import { db } from "@/lib/db";
import { failedRun, startFakeExecutor } from "@/tests/harness/fake-executor";

// Runs each step at once, as the executor would on a first attempt.
const step: StepRunner = { run: (_id, fn) => fn() };

const failure = (overrides: Record<string, unknown> = {}) => ({
  function_id: "signup-app-user.welcome-email",
  run_id: `run-${randomUUID()}`,
  error: { name: "NonRetriableError", message: "Email provider answered 422", stack: "NonRetriableError: …" },
  event: { name: userAccountCreated.name, id: randomUUID(), data: { userId: randomUUID() }, ts: Date.now() },
  ...overrides,
});

describe("onFailure payloads", () => {
  it("are parsed: the dead letter is recorded and the clean-up gets the original event's data, typed", async () => {
    const payload = failure();
    let seen: { userId: string } | null = null;
    await onFailureRecordDeadLetter("Send welcome email", async (failed: FailedRun) => {
      seen = originalEventData(failed, userAccountCreated.schema);
    })({ event: { data: payload }, step });
    expect(seen).toEqual(payload.event.data);
    expect(await db.deadLetterJob.findUniqueOrThrow({ where: { runId: payload.run_id } })).toMatchObject({
      functionId: payload.function_id,
      eventName: userAccountCreated.name,
      errorName: "NonRetriableError",
      errorMessage: "Email provider answered 422",
    });
  });

  it("tolerate missing or null details (a re-sent failure carries the stored payload's nulls)", async () => {
    const payload = failure({ error: { message: null }, event: { name: userAccountCreated.name, id: null, ts: null, data: { userId: randomUUID() } } });
    await onFailureRecordDeadLetter("Send welcome email")({ event: { data: payload }, step });
    expect(await db.deadLetterJob.findUniqueOrThrow({ where: { runId: payload.run_id } })).toMatchObject({ errorName: "Error", errorMessage: "(no message)", eventId: null });
  });

  it("refuse a payload without the run it is about, rather than record nonsense", async () => {
    const { run_id: _omitted, ...payload } = failure();
    await expect(onFailureRecordDeadLetter("Send welcome email")({ event: { data: payload }, step })).rejects.toBeInstanceOf(z.ZodError);
  });

  it("give no clean-up data when the original event does not match the function's schema", () => {
    const failed: FailedRun = { ...failure(), event: { name: userAccountCreated.name, data: { userId: "not-a-uuid" } } };
    expect(originalEventData(failed, userAccountCreated.schema)).toBeNull();
  });
});

describe("the attempt count", () => {
  const record = async (payload: ReturnType<typeof failure>) => {
    await onFailureRecordDeadLetter("Send welcome email")({ event: { data: payload }, step });
    return db.deadLetterJob.findUniqueOrThrow({ where: { runId: payload.run_id } });
  };

  it("is the executor's count when its record of the run can be read", async () => {
    const payload = failure();
    const executor = await startFakeExecutor({ status: 200, body: failedRun(payload.run_id, 3) });
    try {
      const letter = await record(payload);
      expect(executor.paths).toEqual([`/v1/runs/${payload.run_id}`]);
      expect(letter.attempts).toBe(3);
      expect(letter.history).toMatchObject([{ runId: payload.run_id, attempts: 3 }]);
    } finally {
      await executor.stop();
    }
  });

  it("is unknown (null, not 1) when the executor cannot be reached", async () => {
    // Nothing listens at the configured executor address in this file.
    const letter = await record(failure());
    expect(letter.attempts).toBeNull();
    expect(letter.history).toMatchObject([{ attempts: null }]);
  });

  it.each([
    ["refuses the key", { status: 401 }],
    ["has no record of the run", { status: 404 }],
    ["fails", { status: 502 }],
    ["does not list attempts (Inngest's REST API)", { status: 200, body: { data: { run_id: "r", status: "Failed" } } }],
  ])("is unknown when the executor %s", async (_what, answer) => {
    const executor = await startFakeExecutor(answer);
    try {
      const letter = await record(failure());
      expect(executor.paths).toHaveLength(1);
      expect(letter.attempts).toBeNull();
      expect(letter.history).toMatchObject([{ attempts: null }]);
    } finally {
      await executor.stop();
    }
  });

  it("of a letter whose retry's count is unknown becomes unknown, the known run's count kept in its history", async () => {
    const first = failure();
    const executor = await startFakeExecutor({ status: 200, body: failedRun(first.run_id, 5) });
    try {
      const letter = await record(first);
      expect(letter.attempts).toBe(5);
      executor.answer({ status: 401 });
      const retry = failure({ event: { ...first.event, data: { ...first.event.data, deadLetterId: letter.id } } });
      await onFailureRecordDeadLetter("Send welcome email")({ event: { data: retry }, step });
      const after = await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } });
      expect(after.attempts).toBeNull();
      expect(after.history).toMatchObject([{ runId: first.run_id, attempts: 5 }, { runId: retry.run_id, attempts: null }]);
    } finally {
      await executor.stop();
    }
  });
});
