// The weekly digest: one email per subscribed member per ISO week, sent in batches through the
// provider's batch endpoint, however often the planning or a step runs, driven by the executor's
// injected clock. (Pacing, 250-member batches, crashes and refused addresses:
// tests/background/mail-pace.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { inngest } from "@/inngest/client";
import { digestBatchRequested, digestEmailRequested } from "@/inngest/events";
import { digestBatchEventId, digestBatchIdempotencyKey } from "@/lib/digest/batches";
import { digestKind } from "@/lib/digest/sending";
import { SCHEDULES } from "@/lib/schedules/definitions";
import { address } from "@/tests/background/helpers";
import { makeUser } from "@/tests/factories";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { waitFor } from "@/tests/harness/wait";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { fakeClock, finishedEventRun, finishedTickRun, optOutEveryone, settledScheduledRun } from "./helpers";

const WEEK = "2026-W23";
const clock = fakeClock("2026-05-31T12:00:00Z"); // Sunday; the digest is due Monday 1 June 08:00 UTC
let stack: BackgroundStack;
let ada: { id: string; email: string };
let bob: { id: string; email: string };
let flaky: { id: string; email: string };
let quiet: { id: string; email: string };

beforeAll(async () => {
  await optOutEveryone(); // people other test files made in this database are not part of this
  stack = await startBackgroundStack({ clock: clock.now });
  ada = await makeUser({ email: address("ada"), name: "Ada" });
  bob = await makeUser({ email: address("bob"), name: "Bob" });
  flaky = await makeUser({ email: address("bounce503x1"), name: "Flaky" }); // the provider fails once
  quiet = await makeUser({ email: address("quiet"), name: "Quiet" });
  await db.user.update({ where: { id: quiet.id }, data: { digestOptOut: true } });
});
afterAll(async () => {
  await stack?.stop();
});

const subscribers = () => [ada, bob, flaky];
const delivered = () => db.emailDelivery.count({ where: { kind: digestKind(WEEK), userId: { in: subscribers().map((u) => u.id) } } });

describe("weekly digest", () => {
  it("plans one batch for the subscribed members and sends each one digest in one batch request", async () => {
    clock.set("2026-06-01T08:00:00Z");
    await stack.engine.cronTick();
    const run = await finishedTickRun(SCHEDULES.weeklyDigest, "2026-06-01T08:00:00Z");
    expect(run.status).toBe("Completed");
    expect((await settledScheduledRun(run.run_id)).summary).toBe(`Queued 3 digests for ${WEEK} in 1 batch.`);

    await waitFor(async () => (await delivered()) === 3, "three digests recorded");
    const batch = await db.digestBatch.findFirstOrThrow({ where: { week: WEEK } });
    for (const user of subscribers()) {
      const messages = await stack.mail.messages({ to: user.email });
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ subject: `Your weekly digest (${WEEK})`, idempotency_key: digestBatchIdempotencyKey(WEEK, batch.id) });
      expect(messages[0]!.text).toMatch(/Unsubscribe: http:\/\/localhost:3000\/unsubscribe\?token=/);
      expect(messages[0]!.headers).toMatchObject({ "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
    }
    expect(await stack.mail.messages({ to: quiet.email })).toHaveLength(0);
    // The flaky address: a 503 for the whole batch request, a retried step with the same key, one email each.
    expect((await stack.mail.requests({ to: flaky.email })).map((r) => [r.path, r.status])).toEqual([["/emails/batch", 503], ["/emails/batch", 200]]);
  });

  it("sends nothing on a second run in the same week", async () => {
    const { ids } = await inngest.send({ name: SCHEDULES.weeklyDigest.runEvent, data: { requestedBy: "ops@example.com" }, ts: Date.parse("2026-06-03T15:00:00Z") });
    const run = await finishedEventRun(ids[0]!, SCHEDULES.weeklyDigest.id);
    expect((await settledScheduledRun(run.run_id)).summary).toBe(`Queued no digests for ${WEEK}: every subscribed member already has it.`);
    for (const user of subscribers()) expect(await stack.mail.requests({ to: user.email })).toHaveLength(2);
    for (const user of subscribers()) expect(await stack.mail.messages({ to: user.email })).toHaveLength(1);
  });

  it("starts no second send for a repeated batch event (its id is the batch's)", async () => {
    const batch = await db.digestBatch.findFirstOrThrow({ where: { week: WEEK } });
    const id = digestBatchEventId(batch.id);
    await inngest.send({ id, name: digestBatchRequested.name, data: { batchId: batch.id, week: WEEK } });
    const runs = await executorApi.eventRuns(id);
    expect(runs.filter((r) => r.function_id === "signup-app-digest.send-batch")).toHaveLength(1);
  });

  it("skips a member who already has this week's digest, even with a new event", async () => {
    const { ids } = await inngest.send({ name: digestEmailRequested.name, data: { userId: bob.id, week: WEEK } });
    const run = await finishedEventRun(ids[0]!, "digest.send");
    expect(run.status).toBe("Completed");
    expect(run.output).toMatchObject({ skipped: expect.stringMatching(/^already sent/) });
    // Only the batch's two requests (the 503 and its retry): no request of its own.
    expect(await stack.mail.requests({ to: bob.email })).toHaveLength(2);
  });

  it("sends again the next week", async () => {
    clock.set("2026-06-08T08:00:00Z");
    await stack.engine.cronTick();
    const run = await finishedTickRun(SCHEDULES.weeklyDigest, "2026-06-08T08:00:00Z");
    expect((await settledScheduledRun(run.run_id)).summary).toBe("Queued 3 digests for 2026-W24 in 1 batch.");
    await waitFor(async () => (await stack.mail.messages({ to: ada.email })).length === 2, "Ada's second digest");
    expect((await stack.mail.messages({ to: ada.email }))[0]!.subject).toBe("Your weekly digest (2026-W24)");
  });
});
