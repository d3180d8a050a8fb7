import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { hashToken } from "@/lib/accounts/session-tokens";
import { env } from "@/lib/env";
import { createSession, deleteSession, deleteUserSessions, findSessionUser } from "@/lib/accounts/sessions";
import { makeUser } from "@/tests/factories";

describe("sessions", () => {
  it("finds the user behind a fresh token", async () => {
    const user = await makeUser();
    const { token, expiresAt } = await createSession(user);
    expect(await findSessionUser(token)).toMatchObject({ id: user.id, email: user.email, role: "USER" });
    // 30 days by default
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it("stores only a hash of the token", async () => {
    const user = await makeUser();
    const { token } = await createSession(user);
    const rows = await db.session.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("treats an expired session as logged out", async () => {
    const user = await makeUser();
    const { token, expiresAt } = await createSession(user);
    expect(await findSessionUser(token, new Date(expiresAt.getTime() - 1))).not.toBeNull();
    expect(await findSessionUser(token, expiresAt)).toBeNull();
  });

  it("treats forged, empty and absurd tokens as logged out", async () => {
    expect(await findSessionUser("forged-token")).toBeNull();
    expect(await findSessionUser("")).toBeNull();
    expect(await findSessionUser(undefined)).toBeNull();
    expect(await findSessionUser("x".repeat(10_000))).toBeNull();
  });

  it("logging out ends that session only; revoking ends them all", async () => {
    const user = await makeUser();
    const first = await createSession(user);
    const second = await createSession(user);
    await deleteSession(first.token);
    expect(await findSessionUser(first.token)).toBeNull();
    expect(await findSessionUser(second.token)).not.toBeNull();
    await createSession(user);
    expect(await deleteUserSessions(user.id)).toBe(2);
    expect(await findSessionUser(second.token)).toBeNull();
  });

  it("gives an admin a shorter session than a member, and ends an admin's session by its age whatever expiry it had", async () => {
    const now = new Date();
    const member = await makeUser();
    const admin = await makeUser({ role: "ADMIN" });
    const adminTtl = env.ADMIN_SESSION_TTL_HOURS * 3_600_000;
    const memberSession = await createSession(member, now);
    const adminSession = await createSession(admin, now);
    expect(adminSession.expiresAt.getTime() - now.getTime()).toBe(adminTtl);
    expect(memberSession.expiresAt.getTime() - now.getTime()).toBe(env.SESSION_TTL_DAYS * 86_400_000);
    expect(adminTtl).toBeLessThan(env.SESSION_TTL_DAYS * 86_400_000);
    expect(await findSessionUser(adminSession.token, new Date(now.getTime() + adminTtl - 1))).toMatchObject({ id: admin.id });
    expect(await findSessionUser(adminSession.token, new Date(now.getTime() + adminTtl))).toBeNull();

    // A member's 30-day session whose owner became an admin (say, by a database edit): the admin limit holds.
    await db.user.update({ where: { id: member.id }, data: { role: "ADMIN" } });
    expect(await findSessionUser(memberSession.token, new Date(now.getTime() + adminTtl - 1))).toMatchObject({ role: "ADMIN" });
    expect(await findSessionUser(memberSession.token, new Date(now.getTime() + adminTtl + 1))).toBeNull();
  });
});
