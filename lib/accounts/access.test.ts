import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resolveAccess } from "@/lib/accounts/access";
import { createSession } from "@/lib/accounts/sessions";
import { makeUser } from "@/tests/factories";

describe("admin guard", () => {
  it("refuses a request without a valid session", async () => {
    expect(await resolveAccess(undefined, "ADMIN")).toEqual({ kind: "unauthenticated" });
    expect(await resolveAccess("forged", "ADMIN")).toEqual({ kind: "unauthenticated" });
  });

  it("forbids a member and admits an admin", async () => {
    const member = await makeUser();
    const admin = await makeUser({ role: "ADMIN" });
    const memberSession = await createSession(member);
    const adminSession = await createSession(admin);
    expect(await resolveAccess(memberSession.token, "ADMIN")).toMatchObject({ kind: "forbidden", user: { id: member.id } });
    expect(await resolveAccess(memberSession.token, "ANY")).toMatchObject({ kind: "granted", user: { id: member.id } });
    expect(await resolveAccess(adminSession.token, "ADMIN")).toMatchObject({ kind: "granted", user: { id: admin.id } });
  });

  it("reads the role from the database on every request, not from the session", async () => {
    const admin = await makeUser({ role: "ADMIN" });
    const { token } = await createSession(admin);
    expect((await resolveAccess(token, "ADMIN")).kind).toBe("granted");
    await db.user.update({ where: { id: admin.id }, data: { role: "USER" } });
    expect((await resolveAccess(token, "ADMIN")).kind).toBe("forbidden");
  });

  it("refuses an admin whose session has expired", async () => {
    const admin = await makeUser({ role: "ADMIN" });
    const { token } = await createSession(admin);
    await db.session.updateMany({ where: { userId: admin.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await resolveAccess(token, "ADMIN")).toEqual({ kind: "unauthenticated" });
  });
});
