import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { onFailureRecordDeadLetter, originalEventData, type FailedRun, type StepRunner } from "@/inngest/dead-letter-hooks";
import { userAccountCreated } from "@/inngest/events";
import { db } from "@/lib/db";

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
