// The event names' migration (prisma/migrations/20261130203000_event_names), and the move of the
// welcome email to user/email.verified (20261201120100_welcome_follows_verification): an outbox row
// still unsent at the upgrade, and a dead letter retried after it, reach their function under the
// name it listens to today.
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as events from "@/inngest/events";
import { currentEventName, RENAMED_EVENTS, userAccountCreated, userEmailVerified } from "@/inngest/events";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { retryDeadLetter } from "@/lib/dead-letters/manage";
import { recordDeadLetter } from "@/lib/dead-letters/record";
import { relayOutbox } from "@/lib/outbox/relay";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { waitFor } from "@/tests/harness/wait";
import { makeUser } from "@/tests/factories";
import { finishedRun, WELCOME_FN } from "./helpers";

const MIGRATION = "prisma/migrations/20261130203000_event_names/migration.sql";
const WELCOME_MOVE = "prisma/migrations/20261201120100_welcome_follows_verification/migration.sql";
const GRAMMAR = /^[a-z][a-z-]*\/[a-z][a-z-]*\.[a-z]+$/;

/** Runs the migrations' SQL as `prisma migrate deploy` does: one script each, in order. */
async function applyMigration() {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    for (const file of [MIGRATION, WELCOME_MOVE]) await client.query(fs.readFileSync(file, "utf8"));
  } finally {
    await client.end();
  }
}

describe("event names", () => {
  it("are all <domain>/<noun>.<verb>", () => {
    const names = Object.values(events).flatMap((value) => (value && typeof value === "object" && "name" in value && typeof value.name === "string" ? [value.name] : []));
    expect(names.length).toBeGreaterThanOrEqual(9);
    for (const name of names) expect(name).toMatch(GRAMMAR);
    for (const renamed of Object.values(RENAMED_EVENTS)) expect(names).toContain(renamed);
  });

  it("the migration renames exactly the pairs the code maps", () => {
    const sql = fs.readFileSync(MIGRATION, "utf8");
    const pairs = Object.fromEntries([...sql.matchAll(/\('([^']+)', '([^']+)'\)/g)].map((m) => [m[1], m[2]]));
    expect(pairs).toEqual(RENAMED_EVENTS);
  });
});

describe("stored event names across the upgrade", () => {
  let stack: BackgroundStack;
  beforeAll(async () => {
    stack = await startBackgroundStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const welcomeLetter = (userId: string, eventName: string) =>
    recordDeadLetter({
      functionId: WELCOME_FN,
      functionName: "Send welcome email",
      runId: `run-${randomUUID()}`,
      event: { name: eventName, id: randomUUID(), data: { userId } },
      error: { name: "Error", message: "Email provider answered 503" },
      attempts: 5,
      failedAt: new Date(),
    });

  async function retriedAndResolved(letterId: string, admin: { id: string; email: string }) {
    const outboxId = await retryDeadLetter(letterId, admin, { confirmedPermanent: true });
    const row = await db.outboxEvent.findUniqueOrThrow({ where: { id: outboxId } });
    expect(row.name).toBe(userEmailVerified.name);
    await relayOutbox({ ids: [outboxId] });
    expect((await finishedRun(outboxId, WELCOME_FN)).status).toBe("Completed");
    return waitFor(async () => {
      const letter = await db.deadLetterJob.findUniqueOrThrow({ where: { id: letterId } });
      return letter.status === "RESOLVED" && letter;
    }, "the retried letter to resolve");
  }

  it("an unsent outbox row and an open dead letter written before it reach their function after it", async () => {
    const admin = await makeUser({ role: "ADMIN" });
    const pending = await makeUser();
    const failed = await makeUser();
    // As the previous version left them: an unsent outbox row, and a dead letter, under the old name.
    const row = await db.outboxEvent.create({ data: { name: "user.signed-up", data: { userId: pending.id } } });
    const letter = await welcomeLetter(failed.id, "user.signed-up");

    await applyMigration();

    expect((await db.outboxEvent.findUniqueOrThrow({ where: { id: row.id } })).name).toBe(userEmailVerified.name);
    const migrated = await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } });
    expect(migrated.eventName).toBe(userEmailVerified.name);
    expect(migrated.payload).toMatchObject({ name: userEmailVerified.name, data: { userId: failed.id } });

    // The sweeper's relay sends the row; the welcome function runs for it.
    await relayOutbox({ ids: [row.id] });
    expect((await finishedRun(row.id, WELCOME_FN)).status).toBe("Completed");
    expect(await stack.mail.messages({ to: pending.email })).toHaveLength(1);

    // Retry re-sends the letter's event, which reaches the function; its success resolves the letter.
    expect(await retriedAndResolved(letter.id, admin)).toMatchObject({ resolvedBy: "retry" });
    expect(await stack.mail.messages({ to: failed.email })).toHaveLength(1);
  });

  it.each(["user.signed-up", userAccountCreated.name])(
    "a welcome letter written after it under %s (a run in flight across the upgrade) is retried as the event the function listens to today",
    async (oldName) => {
      const admin = await makeUser({ role: "ADMIN" });
      const user = await makeUser();
      await applyMigration();
      const letter = await welcomeLetter(user.id, oldName);
      expect(currentEventName(oldName, WELCOME_FN)).toBe(userEmailVerified.name);
      expect(await retriedAndResolved(letter.id, admin)).toMatchObject({ resolvedBy: "retry" });
      expect(await stack.mail.messages({ to: user.email })).toHaveLength(1);
    },
  );

  it("maps a renamed event by name alone for every other function", () => {
    expect(currentEventName("user.signed-up")).toBe(userAccountCreated.name);
    expect(currentEventName("user.avatar-uploaded", "signup-app-user.avatar-process")).toBe("user/avatar.uploaded");
    expect(currentEventName(userAccountCreated.name, "signup-app-user.email-verification")).toBe(userAccountCreated.name);
  });
});
