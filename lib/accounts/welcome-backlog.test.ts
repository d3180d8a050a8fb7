// The admin overview's "Welcome emails" line: welcome emails asked for (the address verified, or
// "Send again") and not sent yet, how many are retrying, and since when the oldest waits.
import { afterAll, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createAdmin } from "@/lib/accounts/users";
import { requestWelcomeEmailAgain, welcomeMailBacklog } from "@/lib/accounts/welcome-email";
import { uniqueEmail } from "@/tests/factories";

const planted: string[] = [];
afterAll(async () => {
  await db.outboxEvent.deleteMany({ where: { OR: planted.map((userId) => ({ data: { path: ["userId"], equals: userId } })) } });
  await db.user.deleteMany({ where: { id: { in: planted } } });
});

async function person(status: "QUEUED" | "SENT" | "FAILED", requestedAt: Date | null, failedAttempts = 0) {
  const user = await db.user.create({
    data: {
      name: "Backlog",
      email: uniqueEmail("welcome-backlog"),
      passwordHash: "x",
      emailVerifiedAt: requestedAt,
      welcomeEmailStatus: status,
      welcomeRequestedAt: requestedAt,
      welcomeEmailFailedAttempts: failedAttempts,
    },
  });
  planted.push(user.id);
  return user;
}

it("counts the welcome emails not out yet, the retrying ones, and since when the oldest waits", async () => {
  // Older than anything else in this worker's database, so the oldest wait is one of these.
  const longAgo = new Date("2001-01-01T00:00:00Z");
  await person("SENT", new Date("2000-01-01T00:00:00Z"));
  await person("FAILED", new Date("2000-06-01T00:00:00Z"));
  await person("QUEUED", null); // not verified yet: nothing asked for
  const queued = await person("QUEUED", longAgo);
  const retrying = await person("QUEUED", new Date("2001-01-02T00:00:00Z"), 2);

  const backlog = await welcomeMailBacklog();
  expect(backlog.oldest).toEqual(longAgo);
  expect(backlog.waiting).toBeGreaterThanOrEqual(2);
  expect(backlog.retrying).toBeGreaterThanOrEqual(1);
  expect(backlog.retrying).toBeLessThan(backlog.waiting);

  await db.user.updateMany({ where: { id: { in: [queued.id, retrying.id] } }, data: { welcomeEmailStatus: "SENT" } });
  const after = await welcomeMailBacklog();
  expect(after.oldest === null || after.oldest > new Date("2001-01-02T00:00:00Z")).toBe(true);
  expect(after.waiting).toBe(backlog.waiting - 2);
});

it("a verification asks for the welcome email now, and so does 'Send again' after a failure", async () => {
  const before = new Date();
  const admin = await createAdmin({ email: uniqueEmail("backlog-admin"), name: "Admin", password: "admin-password", operator: "ops@test-host" });
  planted.push(admin.user.id);
  const verified = await db.user.findUniqueOrThrow({ where: { id: admin.user.id } });
  expect(verified.welcomeRequestedAt).toEqual(verified.emailVerifiedAt);
  expect(verified.welcomeRequestedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);

  const failed = await person("FAILED", new Date("2002-01-01T00:00:00Z"));
  await requestWelcomeEmailAgain(failed);
  const again = await db.user.findUniqueOrThrow({ where: { id: failed.id } });
  expect(again.welcomeEmailStatus).toBe("QUEUED");
  expect(again.welcomeRequestedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
});
