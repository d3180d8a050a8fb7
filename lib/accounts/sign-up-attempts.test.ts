// The admin overview's "Sign-up emails" line: emails people are still waiting for (queued or
// retrying), counted apart from the ones already out or given up on, with the oldest wait.
import { afterAll, expect, it } from "vitest";
import { db } from "@/lib/db";
import { signUpMailBacklog } from "@/lib/accounts/sign-up-attempts";
import { uniqueEmail } from "@/tests/factories";

const planted: string[] = [];
afterAll(async () => {
  await db.signUpAttempt.deleteMany({ where: { id: { in: planted } } });
});

async function attempt(status: "QUEUED" | "RETRYING" | "SENT" | "FAILED", createdAt: Date) {
  const row = await db.signUpAttempt.create({ data: { email: uniqueEmail(), status, createdAt } });
  planted.push(row.id);
  return row;
}

it("counts the emails not out yet, how many of them are retrying, and since when the oldest waits", async () => {
  // Older than anything else in this worker's database, so the oldest wait is one of these.
  const longAgo = new Date("2001-01-01T00:00:00Z");
  await attempt("SENT", new Date("2000-01-01T00:00:00Z"));
  await attempt("FAILED", new Date("2000-06-01T00:00:00Z"));
  const queued = await attempt("QUEUED", longAgo);
  const retrying = await attempt("RETRYING", new Date("2001-01-02T00:00:00Z"));

  const backlog = await signUpMailBacklog();
  expect(backlog.oldest).toEqual(longAgo); // not the older sent or failed ones
  expect(backlog.waiting).toBeGreaterThanOrEqual(2);
  expect(backlog.retrying).toBeGreaterThanOrEqual(1);
  expect(backlog.retrying).toBeLessThan(backlog.waiting);

  // Once they are out, they no longer count as waiting.
  await db.signUpAttempt.updateMany({ where: { id: { in: [queued.id, retrying.id] } }, data: { status: "SENT" } });
  const after = await signUpMailBacklog();
  expect(after.oldest === null || after.oldest > new Date("2001-01-02T00:00:00Z")).toBe(true);
  expect(after.waiting).toBe(backlog.waiting - 2);
});
