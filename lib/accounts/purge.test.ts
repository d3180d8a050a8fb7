import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { purgeOldSignUpRecords, SIGN_UP_RECORD_DAYS } from "@/lib/accounts/purge";
import { makeUser, uniqueEmail } from "@/tests/factories";

describe("purging sign-up records", () => {
  it("deletes attempts and used or expired links older than the retention, and keeps the rest", async () => {
    const now = new Date("2030-01-10T02:00:00Z");
    const old = new Date(now.getTime() - (SIGN_UP_RECORD_DAYS + 1) * 86_400_000);
    const recent = new Date(now.getTime() - 86_400_000);
    const user = await makeUser();
    const attempts = { old: randomUUID(), recent: randomUUID() };
    await db.signUpAttempt.createMany({
      data: [
        { id: attempts.old, email: uniqueEmail(), createdAt: old },
        { id: attempts.recent, email: uniqueEmail(), createdAt: recent },
      ],
    });
    const link = (data: { expiresAt: Date; usedAt?: Date }) => db.emailVerification.create({ data: { userId: user.id, ...data } });
    const usedLongAgo = await link({ expiresAt: now, usedAt: old });
    const expiredLongAgo = await link({ expiresAt: old });
    const live = await link({ expiresAt: new Date(now.getTime() + 86_400_000) });

    expect(await purgeOldSignUpRecords(now)).toBeGreaterThanOrEqual(3);
    expect((await db.signUpAttempt.findMany({ where: { id: { in: Object.values(attempts) } } })).map((a) => a.id)).toEqual([attempts.recent]);
    expect((await db.emailVerification.findMany({ where: { userId: user.id } })).map((v) => v.id)).toEqual([live.id]);
    expect([usedLongAgo.id, expiredLongAgo.id]).not.toContain(live.id);
  });
});
