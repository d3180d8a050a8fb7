import { expect, it } from "vitest";
import { db } from "@/lib/db";
import { getUserOverview } from "@/lib/accounts/admin-directory";
import { makeUser, uniqueEmail } from "@/tests/factories";

const welcomeOf = async (id: string) => (await getUserOverview(id))?.work.find((w) => w.key === "welcome-email");

// An admin looking at someone who has not opened their verification link should not read "in
// progress, being retried" about a welcome email nobody is trying to send yet.
it("the admin's user page says a welcome email waits for verification, not that it is being retried", async () => {
  const unverified = await db.user.create({ data: { name: "Not yet", email: uniqueEmail("unverified"), passwordHash: "x" } });
  expect(await welcomeOf(unverified.id)).toMatchObject({ state: "not started", detail: "Waits for the address to be verified" });

  const verified = await makeUser();
  expect(await welcomeOf(verified.id)).toMatchObject({ state: "in progress", detail: "Queued or being retried" });
  await db.user.update({ where: { id: verified.id }, data: { welcomeEmailStatus: "FAILED" } });
  expect(await welcomeOf(verified.id)).toMatchObject({ state: "failed" });
});
