import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createAdmin, createUser, DUPLICATE_EMAIL_MESSAGE, PROMOTE_REFUSED } from "@/lib/accounts/users";
import { verifyPassword } from "@/lib/accounts/password";
import { createSession, findSessionUser } from "@/lib/accounts/sessions";
import { uniqueEmail } from "@/tests/factories";

describe("users", () => {
  it("never returns the password hash", async () => {
    const user = await createUser({ name: "Ada", email: uniqueEmail(), password: "secret-password" });
    expect(user).not.toHaveProperty("passwordHash");
    const reread = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(reread).not.toHaveProperty("passwordHash");
  });

  it("rejects a duplicate email with a message on the email field", async () => {
    const email = uniqueEmail();
    await createUser({ name: "First", email, password: "secret-password" });
    const error = await createUser({ name: "Second", email, password: "secret-password" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(409);
    expect((error as AppError).fieldErrors).toEqual({ email: [DUPLICATE_EMAIL_MESSAGE] });
  });

  it("creates exactly one account when two creations with one email race", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => createUser({ name: `Racer ${i}`, email, password: "secret-password" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "conflict" });
    }
    expect(await db.user.count({ where: { email } })).toBe(1);
  });
});

describe("admin:create", () => {
  const operator = "ops@test-host";

  it("creates a verified admin and audits it", async () => {
    const email = uniqueEmail("admin");
    const created = await createAdmin({ email, name: "Admin", password: "admin-password", operator });
    expect(created).toMatchObject({ outcome: "created", user: { role: "ADMIN" } });
    expect((await db.user.findUniqueOrThrow({ where: { id: created.user.id } })).emailVerifiedAt).not.toBeNull();
    expect(await db.auditLog.findFirst({ where: { targetId: created.user.id, action: "user.admin_created" } })).toMatchObject({ actorEmail: "system", details: { operator, email } });
    await expect(createAdmin({ email: uniqueEmail(), name: "No password", operator })).rejects.toMatchObject({ code: "unprocessable" });
  });

  it("refuses to promote an existing account without --promote-existing, and changes nothing", async () => {
    const member = await createUser({ name: "Signed up first", email: uniqueEmail("ops"), password: "members-password" });
    const { token } = await createSession(member);
    const error = await createAdmin({ email: member.email, name: "Ops", password: "admins-password", operator }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "conflict", message: PROMOTE_REFUSED });
    const after = await db.user.findUniqueOrThrow({ where: { id: member.id }, omit: { passwordHash: false } });
    expect(after.role).toBe("USER");
    expect(await verifyPassword("members-password", after.passwordHash)).toBe(true);
    expect(await findSessionUser(token)).toMatchObject({ id: member.id, role: "USER" });
  });

  it("promotes with --promote-existing: a new password, every session ended, audited", async () => {
    const member = await createUser({ name: "Signed up first", email: uniqueEmail("ops"), password: "members-password" });
    const sessions = [await createSession(member), await createSession(member)];
    const promoted = await createAdmin({ email: member.email, name: "ignored", password: "admins-password", promoteExisting: true, operator });
    expect(promoted).toMatchObject({ outcome: "promoted", sessionsEnded: 2, user: { id: member.id, role: "ADMIN" } });
    const after = await db.user.findUniqueOrThrow({ where: { id: member.id }, omit: { passwordHash: false } });
    expect(await verifyPassword("members-password", after.passwordHash)).toBe(false);
    expect(await verifyPassword("admins-password", after.passwordHash)).toBe(true);
    for (const { token } of sessions) expect(await findSessionUser(token)).toBeNull();
    expect(await db.auditLog.findFirst({ where: { targetId: member.id, action: "user.promoted_to_admin" } })).toMatchObject({
      actorEmail: "system",
      details: { operator, previousRole: "USER", sessionsEnded: 2 },
    });
  });
});
