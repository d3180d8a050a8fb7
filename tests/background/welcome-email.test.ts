import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { inngest } from "@/inngest/client";
import { userEmailVerified } from "@/inngest/events";
import { loadWelcomeRecipient, recordWelcomeDelivery, requestWelcomeEmailAgain, sendWelcomeEmail } from "@/lib/accounts/welcome-email";
import { relayOutbox } from "@/lib/outbox/relay";
import { createAdmin } from "@/lib/accounts/users";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { waitFor } from "@/tests/harness/wait";
import { address, finishedRun, signUp, userState, WELCOME_FN } from "./helpers";

let stack: BackgroundStack;
beforeAll(async () => {
  stack = await startBackgroundStack();
});
afterAll(async () => {
  await stack?.stop();
});

const sentTo = (to: string) => stack.mail.messages({ to });
const requestsTo = (to: string) => stack.mail.requests({ to });

describe("welcome email", () => {
  it("is sent in the background after sign-up and recorded with the provider's id", async () => {
    const email = address("welcome");
    const { userId, outboxIds } = await signUp(email);

    const run = await finishedRun(outboxIds[0]!, WELCOME_FN);
    expect(run.status).toBe("Completed");
    const [message] = await sentTo(email);
    expect(message).toMatchObject({ subject: "Welcome to Signup Jobs" });
    expect(message!.html).toContain("Welcome, Background Tester!");
    expect(message!.text).toContain("Open your account:");

    expect(await userState(userId)).toMatchObject({ welcomeEmailStatus: "SENT" });
    const delivery = await db.emailDelivery.findUniqueOrThrow({ where: { userId_kind: { userId, kind: "welcome" } } });
    expect(delivery.providerId).toBe(message!.id);
  });

  // An operator's admin:create verifies the address itself: the same event, the same email, and
  // the account page's "Queued…" becomes "Sent" (it stayed "Queued…" for ever before).
  it("is sent to an admin made with admin:create, whose address no link verified", async () => {
    const email = address("admin");
    const { user } = await createAdmin({ email, name: "Operator Made", password: "admin-password", operator: "ops@test-host" });
    const [row] = await db.outboxEvent.findMany({ where: { data: { path: ["userId"], equals: user.id }, sentAt: null } });
    await relayOutbox({ ids: [row!.id] });
    expect((await finishedRun(row!.id, WELCOME_FN)).status).toBe("Completed");
    expect(await sentTo(email)).toMatchObject([{ subject: "Welcome to Signup Jobs" }]);
    expect(await userState(user.id)).toMatchObject({ welcomeEmailStatus: "SENT" });
  });

  it("sends one email when the function runs twice for the same user", async () => {
    const email = address("twice");
    const { userId, outboxIds } = await signUp(email);
    await finishedRun(outboxIds[0]!, WELCOME_FN);

    // A second event (new id, so not deduped) runs the whole function again.
    const { ids } = await inngest.send({ name: userEmailVerified.name, data: { userId } });
    const second = await finishedRun(ids[0]!, WELCOME_FN);
    expect(second.status).toBe("Completed");
    expect(second.output).toMatchObject({ skipped: expect.stringMatching(/^already sent/) });
    expect(await sentTo(email)).toHaveLength(1);
    expect(await requestsTo(email)).toHaveLength(1);
  });

  it("relays an outbox row twice without starting a second run (the row id is the event id)", async () => {
    const email = address("resent");
    const { outboxIds } = await signUp(email);
    await finishedRun(outboxIds[0]!, WELCOME_FN);
    const row = await db.outboxEvent.findUniqueOrThrow({ where: { id: outboxIds[0]! } });
    await inngest.send({ id: row.id, name: row.name, data: row.data as Record<string, unknown> });
    const runs = await waitFor(() => executorApi.eventRuns(row.id), "the runs of the event");
    expect(runs.filter((r) => r.function_id === WELCOME_FN)).toHaveLength(1);
    expect(await sentTo(email)).toHaveLength(1);
  });

  it("does not send again when the send succeeded but recording it failed", async () => {
    const email = address("marker");
    // Fail the first marker insert for this address, from inside the database: a real write failure.
    const seq = `fail_marker_${Math.random().toString(36).slice(2, 8)}`;
    await db.$executeRawUnsafe(`create sequence ${seq}`);
    await db.$executeRawUnsafe(`
      create or replace function ${seq}_fn() returns trigger language plpgsql as $$
      begin
        if (select email from users where id = new.user_id) = '${email}' and nextval('${seq}') = 1 then
          raise exception 'injected: marker write failed';
        end if;
        return new;
      end $$`);
    await db.$executeRawUnsafe(`create trigger ${seq}_trg before insert on email_deliveries for each row execute function ${seq}_fn()`);
    try {
      const { userId, outboxIds } = await signUp(email);
      const run = await finishedRun(outboxIds[0]!, WELCOME_FN);
      expect(run.status).toBe("Completed");
      expect(await userState(userId)).toMatchObject({ welcomeEmailStatus: "SENT" });
      const recordAttempts = run.attempts.filter((a) => a.step_name === "record-delivery");
      expect(recordAttempts.map((a) => a.outcome)).toEqual([expect.stringMatching(/error|fail/i), expect.stringMatching(/ok|complete|success/i)]);
      expect(await sentTo(email)).toHaveLength(1);
      expect(await requestsTo(email)).toHaveLength(1);
    } finally {
      await db.$executeRawUnsafe(`drop trigger if exists ${seq}_trg on email_deliveries`);
    }
  });

  it("stops without retrying when the person is deleted before the delivery is recorded", async () => {
    const email = address("deleted");
    // The person is deleted just as the marker is written (a trigger deletes them first), so the
    // marker's foreign key fails: a NonRetriableError, not a database error retried five times.
    const fn = `delete_first_${Math.random().toString(36).slice(2, 8)}`;
    await db.$executeRawUnsafe(`
      create or replace function ${fn}() returns trigger language plpgsql as $$
      begin
        delete from users where id = new.user_id and email = '${email}';
        return new;
      end $$`);
    await db.$executeRawUnsafe(`create trigger ${fn}_trg before insert on email_deliveries for each row execute function ${fn}()`);
    try {
      const { outboxIds } = await signUp(email);
      const run = await finishedRun(outboxIds[0]!, WELCOME_FN);
      expect(run.status).toBe("Failed");
      const recordAttempts = run.attempts.filter((a) => a.step_name === "record-delivery");
      expect(recordAttempts).toHaveLength(1);
      expect(await sentTo(email)).toHaveLength(1);
      const letter = await waitFor(() => db.deadLetterJob.findUnique({ where: { runId: run.run_id } }), "the dead letter");
      expect(letter).toMatchObject({ errorName: "NonRetriableError", attempts: 1 });
    } finally {
      await db.$executeRawUnsafe(`drop trigger if exists ${fn}_trg on email_deliveries`);
    }
  });

  it("relies on the provider's idempotency key when a send is repeated after a lost result", async () => {
    const email = address("idem");
    const user = await db.user.create({ data: { name: "Idem", email, passwordHash: "x", emailVerifiedAt: new Date() }, select: { id: true } });
    const recipient = await loadWelcomeRecipient(user.id);
    if (recipient.status !== "pending") throw new Error("expected a pending recipient");
    const first = await sendWelcomeEmail(user.id, recipient);
    const again = await sendWelcomeEmail(user.id, recipient); // as if the first result was lost
    expect(again.providerId).toBe(first.providerId);
    await recordWelcomeDelivery(user.id, first.providerId);
    await recordWelcomeDelivery(user.id, again.providerId); // recording twice is harmless
    expect(await sentTo(email)).toHaveLength(1);
    expect(await loadWelcomeRecipient(user.id)).toMatchObject({ status: "done" });
  });

  it("retries a provider outage (503 twice) and sends once, with each attempt recorded", async () => {
    const email = address("bounce503x2");
    const { userId, outboxIds } = await signUp(email);
    const run = await finishedRun(outboxIds[0]!, WELCOME_FN);
    expect(run.status).toBe("Completed");
    expect((await requestsTo(email)).map((r) => r.status)).toEqual([503, 503, 200]);
    expect(await sentTo(email)).toHaveLength(1);
    const sendAttempts = run.attempts.filter((a) => a.step_name === "send");
    expect(sendAttempts.map((a) => a.attempt)).toEqual([0, 1, 2]);
    expect(await userState(userId)).toMatchObject({ welcomeEmailStatus: "SENT" });
    // Each failed attempt was counted by the function itself, for the account page's "attempt 3 of 5".
    expect((await db.user.findUniqueOrThrow({ where: { id: userId }, select: { welcomeEmailFailedAttempts: true } })).welcomeEmailFailedAttempts).toBe(2);
  });

  it("honours the provider's retry-after on 429", async () => {
    const email = address("ratelimit1s");
    const { outboxIds } = await signUp(email);
    const run = await finishedRun(outboxIds[0]!, WELCOME_FN);
    expect(run.status).toBe("Completed");
    expect((await requestsTo(email)).map((r) => r.status)).toEqual([429, 200]);
    expect(await sentTo(email)).toHaveLength(1);
  });

  it("stops at once on a permanent rejection (422) and tells the person", async () => {
    const email = address("reject");
    const { userId, outboxIds } = await signUp(email);
    const run = await finishedRun(outboxIds[0]!, WELCOME_FN);
    expect(run.status).toBe("Failed");
    expect(await requestsTo(email)).toHaveLength(1);
    expect(run.attempts.filter((a) => a.step_name === "send")).toHaveLength(1);
    await waitFor(async () => (await userState(userId)).welcomeEmailStatus === "FAILED", "the failure handler to mark the email failed");
    expect(await sentTo(email)).toHaveLength(0);
    // A permanent failure has no next attempt to announce.
    expect((await db.user.findUniqueOrThrow({ where: { id: userId }, select: { welcomeEmailFailedAttempts: true } })).welcomeEmailFailedAttempts).toBe(0);
  });

  it("is sent when the person asks again after a final failure, and that resolves their dead letter", async () => {
    const email = address("reject");
    const { userId, outboxIds } = await signUp(email);
    await finishedRun(outboxIds[0]!, WELCOME_FN);
    await waitFor(async () => (await userState(userId)).welcomeEmailStatus === "FAILED", "the welcome email to be marked failed");
    const letter = await waitFor(() => db.deadLetterJob.findFirst({ where: { subjectUserId: userId, status: "OPEN" } }), "the dead letter");
    const person = { id: userId, email };

    stack.mail.addFault({ match: email.replace(/[+.]/g, "\\$&"), status: 200 }); // the mailbox works now
    const ids = await requestWelcomeEmailAgain(person);
    expect(await userState(userId)).toMatchObject({ welcomeEmailStatus: "QUEUED" });
    expect((await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } })).status).toBe("RETRYING");
    // Only while it stands failed: a second "send again" is refused.
    await expect(requestWelcomeEmailAgain(person)).rejects.toMatchObject({ code: "conflict" });

    await relayOutbox({ ids });
    const run = await finishedRun(ids[0]!, WELCOME_FN);
    expect(run.status).toBe("Completed");
    expect(await sentTo(email)).toHaveLength(1);
    expect(await userState(userId)).toMatchObject({ welcomeEmailStatus: "SENT" });
    expect(await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } })).toMatchObject({ status: "RESOLVED", resolvedBy: "retry" });
    expect(await db.auditLog.count({ where: { action: "dead_letter.owner_retry", targetId: letter.id, actorId: userId } })).toBe(1);
  });
});
