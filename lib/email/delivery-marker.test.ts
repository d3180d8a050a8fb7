import { NonRetriableError } from "inngest";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordDelivery } from "@/lib/email/delivery-marker";
import { recordWelcomeDelivery } from "@/lib/accounts/welcome-email";
import { recordDigestDelivery } from "@/lib/digest/sending";
import { recordAlertDelivery } from "@/lib/dead-letters/stale-alert";
import { makeUser } from "@/tests/factories";

async function deletedUserId(): Promise<string> {
  const user = await makeUser();
  await db.user.delete({ where: { id: user.id } });
  return user.id;
}

describe("recordDelivery", () => {
  it("writes the marker and what goes with it; recording the same delivery again is a no-op", async () => {
    const user = await makeUser();
    const setSent = () => db.user.update({ where: { id: user.id }, data: { welcomeEmailStatus: "SENT" } });
    await recordDelivery({ userId: user.id, kind: "test:once", providerId: "first" }, setSent());
    await recordDelivery({ userId: user.id, kind: "test:once", providerId: "second" }, setSent());
    const markers = await db.emailDelivery.findMany({ where: { userId: user.id, kind: "test:once" } });
    expect(markers.map((m) => m.providerId)).toEqual(["first"]);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { welcomeEmailStatus: true } })).toEqual({ welcomeEmailStatus: "SENT" });
  });

  it("stops for good when the person no longer exists (foreign key violation, P2003)", async () => {
    const userId = await deletedUserId();
    const error = await recordDelivery({ userId, kind: "test:gone", providerId: "p" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toContain(userId);
  });

  it("stops for good when an update that goes with the marker finds no row (P2025)", async () => {
    const user = await makeUser();
    const other = await deletedUserId();
    const error = await recordDelivery(
      { userId: user.id, kind: "test:update-gone", providerId: "p" },
      db.user.update({ where: { id: other }, data: { welcomeEmailStatus: "SENT" } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    // The transaction rolled back: no marker without the rest.
    expect(await db.emailDelivery.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("every email records its delivery through it", () => {
  it.each([
    ["welcome", (userId: string) => recordWelcomeDelivery(userId, "p")],
    ["digest", (userId: string) => recordDigestDelivery(userId, "2026-W49", "p")],
    ["dead-letter alert", (userId: string) => recordAlertDelivery(userId, "2026-11-30", "p")],
  ])("%s: a deleted recipient is a NonRetriableError, not a database error to retry", async (_name, record) => {
    await expect(record(await deletedUserId())).rejects.toBeInstanceOf(NonRetriableError);
  });
});
