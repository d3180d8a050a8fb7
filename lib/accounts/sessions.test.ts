import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { hashToken } from "@/lib/accounts/session-tokens";
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
});
