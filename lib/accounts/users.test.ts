import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createUser, DUPLICATE_EMAIL_MESSAGE, upsertAdmin } from "@/lib/accounts/users";
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

  it("creates exactly one account when two sign-ups with one email race", async () => {
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

  it("makes admins from the command line path: creates, or promotes an existing account", async () => {
    const email = uniqueEmail("admin");
    const created = await upsertAdmin({ email, name: "Admin", password: "admin-password" });
    expect(created).toMatchObject({ created: true, user: { role: "ADMIN" } });

    const member = await createUser({ name: "Member", email: uniqueEmail(), password: "secret-password" });
    const promoted = await upsertAdmin({ email: member.email, name: "ignored" });
    expect(promoted).toMatchObject({ created: false, user: { id: member.id, role: "ADMIN" } });

    await expect(upsertAdmin({ email: uniqueEmail(), name: "No password" })).rejects.toMatchObject({ code: "unprocessable" });
  });
});
