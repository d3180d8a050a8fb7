import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { inngest } from "@/inngest/client";
import { outboxSweepRequested } from "@/inngest/events";
import { countUnsent, RELAY_CLAIM_MS, relayOutbox } from "@/lib/outbox/relay";
import { acceptSignUp } from "@/lib/accounts/registration";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { address, settleEarlierOutbox } from "./helpers";

let stack: BackgroundStack;
beforeAll(async () => {
  await settleEarlierOutbox();
  stack = await startBackgroundStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe("outbox", () => {
  it("loses nothing while the executor is down: 50 sign-ups, then every verification email once it is back", async () => {
    await stack.stopEngine();
    const emails = Array.from({ length: 50 }, (_, i) => address(`outage${i}`));
    const registrations = [];
    for (const email of emails) {
      registrations.push(await acceptSignUp({ name: "Outage", email, password: "a good password" }));
    }
    // What after() does for each request: the relay fails, the rows stay unsent, nothing throws.
    const relays = await Promise.all(registrations.map((r) => relayOutbox({ ids: r.outboxIds })));
    expect(relays.every((r) => r.sent === 0 && r.failed === 1)).toBe(true);
    const ids = registrations.flatMap((r) => r.outboxIds);
    const unsent = await db.outboxEvent.findMany({ where: { id: { in: ids } }, select: { sentAt: true, attempts: true, lastError: true } });
    expect(unsent.every((row) => row.sentAt === null && row.attempts === 1 && row.lastError)).toBe(true);

    await stack.restartEngine();
    // The sweeper's manual trigger (its cron fires every minute in production).
    await inngest.send({ name: outboxSweepRequested.name, data: {} });

    for (const email of emails) await stack.mail.waitForMessages({ to: email, timeoutMs: 60_000 });
    for (const email of emails) expect(await stack.mail.messages({ to: email })).toHaveLength(1);
    // This file has its own mail catcher, and earlier files' rows were settled: nothing else came.
    expect(await stack.mail.messages()).toHaveLength(50);
    expect(await countUnsent()).toBe(0);
  }, 120_000); // 50 sign-ups and 50 background runs; on a loaded 2-core machine this can take a while

  it("rows a killed relay had claimed go out again after 15 s (a crash costs that person one sweep, not a minute more), once", async () => {
    const email = address("killed-relay");
    const { outboxIds } = await acceptSignUp({ name: "Killed", email, password: "a good password" });
    // What a relay leaves when its process dies between claiming the rows and sending them.
    const claimedAt = Date.now();
    await db.outboxEvent.updateMany({ where: { id: { in: outboxIds } }, data: { claimedUntil: new Date(claimedAt + RELAY_CLAIM_MS) } });

    // While the claim holds, another relay (the sweep) leaves the rows alone...
    expect(await relayOutbox({ ids: outboxIds, now: new Date(claimedAt + 5_000) })).toEqual({ sent: 0, failed: 0 });
    // ...and 15 s on, it sends them.
    expect(await relayOutbox({ ids: outboxIds, now: new Date(claimedAt + 15_001) })).toEqual({ sent: outboxIds.length, failed: 0 });
    await stack.mail.waitForMessages({ to: email, timeoutMs: 30_000 });
    expect(await stack.mail.messages({ to: email })).toHaveLength(1);
    expect(await countUnsent()).toBe(0);
  });

  it("after an outage, people's mail does not wait for rows to age: the sweep takes failed rows at once, and the next successful relay sends the backlog", async () => {
    const emails: string[] = [];
    const outage = async (label: string) => {
      await stack.stopEngine();
      const accepted = [];
      for (let i = 0; i < 3; i++) {
        emails.push(address(`${label}${i}`));
        accepted.push(await acceptSignUp({ name: "Outage", email: emails.at(-1)!, password: "a good password" }));
      }
      const relays = await Promise.all(accepted.map((r) => relayOutbox({ ids: r.outboxIds })));
      expect(relays.every((r) => r.sent === 0 && r.failed === 1)).toBe(true);
      await stack.restartEngine();
      return accepted.flatMap((r) => r.outboxIds);
    };

    // The production sweep leaves rows younger than a minute to their own relay; these are seconds
    // old, but their relay failed: nobody else is going to send them.
    const first = await outage("swept");
    expect(await relayOutbox({ olderThanMs: 60_000 })).toEqual({ sent: first.length, failed: 0 });

    // Rows left by an outage go out with the next sign-up's relay, before any sweep.
    const second = await outage("caught-up");
    emails.push(address("after-outage"));
    const next = await acceptSignUp({ name: "Next", email: emails.at(-1)!, password: "a good password" });
    expect(await relayOutbox({ ids: next.outboxIds })).toEqual({ sent: next.outboxIds.length, failed: 0 });
    expect(await db.outboxEvent.count({ where: { id: { in: second }, sentAt: null } })).toBe(0);

    for (const email of emails) {
      await stack.mail.waitForMessages({ to: email, timeoutMs: 60_000 });
      expect(await stack.mail.messages({ to: email })).toHaveLength(1);
    }
  }, 120_000);
});
