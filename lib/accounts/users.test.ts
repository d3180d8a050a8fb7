import fs from "node:fs";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
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
  /**
   * What the account's creation or promotion left in the outbox for the executor. The rows are
   * removed when the test ends: a later file's stack in this worker would otherwise relay them.
   */
  const outboxFor = async (userId: string) => {
    const where = { data: { path: ["userId"], equals: userId } };
    onTestFinished(async () => void (await db.outboxEvent.deleteMany({ where })));
    return (await db.outboxEvent.findMany({ where, orderBy: { name: "asc" } })).map((e) => ({ name: e.name, data: e.data }));
  };

  it("creates a verified admin and audits it", async () => {
    const email = uniqueEmail("admin");
    const created = await createAdmin({ email, name: "Admin", password: "admin-password", operator });
    expect(created).toMatchObject({ outcome: "created", user: { role: "ADMIN" } });
    expect((await db.user.findUniqueOrThrow({ where: { id: created.user.id } })).emailVerifiedAt).not.toBeNull();
    expect(await db.auditLog.findFirst({ where: { targetId: created.user.id, action: "user.admin_created" } })).toMatchObject({ actorEmail: "system", details: { operator, email } });
    expect(await outboxFor(created.user.id)).toHaveLength(1); // its welcome email (below)
    await expect(createAdmin({ email: uniqueEmail(), name: "No password", operator })).rejects.toMatchObject({ code: "unprocessable" });
  });

  // The address is verified by the operator, not by a link: the welcome email must still be on its
  // way, or the admin's account page says "Queued…" for ever (and polls for it every second).
  it("queues the welcome email of a new admin, as the link does for a person", async () => {
    const created = await createAdmin({ email: uniqueEmail("admin"), name: "Admin", password: "admin-password", operator });
    expect(created.welcomeQueued).toBe(true);
    expect(await outboxFor(created.user.id)).toEqual([{ name: "user/email.verified", data: { userId: created.user.id } }]);
  });

  it("promoting an unverified account starts what its verification would (welcome email, the waiting avatar); a verified one starts nothing", async () => {
    const uploadId = crypto.randomUUID();
    const pending = await db.user.create({
      data: { name: "Never clicked", email: uniqueEmail("unverified"), passwordHash: "x", avatarStatus: "PROCESSING", avatarUploadId: uploadId },
    });
    const promoted = await createAdmin({ email: pending.email, name: "ignored", password: "admins-password", promoteExisting: true, operator });
    expect(promoted.welcomeQueued).toBe(true);
    expect((await db.user.findUniqueOrThrow({ where: { id: pending.id } })).emailVerifiedAt).not.toBeNull();
    expect(await outboxFor(pending.id)).toEqual([
      { name: "user/avatar.uploaded", data: { userId: pending.id, uploadId } },
      { name: "user/email.verified", data: { userId: pending.id } },
    ]);

    const member = await createUser({ name: "Verified", email: uniqueEmail("verified"), password: "members-password" });
    const again = await createAdmin({ email: member.email, name: "ignored", password: "admins-password", promoteExisting: true, operator });
    expect(again.welcomeQueued).toBe(false);
    expect(await outboxFor(member.id)).toEqual([]);
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

  // Admins made before the fix: the upgrade queues their welcome email, and only theirs. Run in a
  // transaction that is rolled back: this worker's database holds other tests' accounts too.
  it("the upgrade (20261202040000_operator_verified_welcome) queues the welcome email of accounts stuck at Queued, and nothing else", async () => {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      await client.query("begin");
      const account = async (label: string, verified: boolean, status: "QUEUED" | "SENT" | "FAILED") =>
        (
          await client.query<{ id: string }>(
            "insert into users (id, email, name, password_hash, email_verified_at, welcome_email_status) values (gen_random_uuid(), $1, $2, 'x', $3, $4) returning id",
            [uniqueEmail(label), label, verified ? new Date() : null, status],
          )
        ).rows[0]!.id;
      const stuck = await account("stuck", true, "QUEUED");
      const sent = await account("sent", true, "SENT");
      const failed = await account("failed", true, "FAILED");
      const unverified = await account("unverified", false, "QUEUED");
      const inFlight = await account("in-flight", true, "QUEUED");
      await client.query("insert into outbox_events (id, name, data) values (gen_random_uuid(), 'user/email.verified', $1)", [{ userId: inFlight }]);
      const recorded = await account("recorded", true, "QUEUED");
      await client.query("insert into email_deliveries (id, user_id, kind, provider_id) values (gen_random_uuid(), $1, 'welcome', 'p-1')", [recorded]);

      const sql = fs.readFileSync("prisma/migrations/20261202040000_operator_verified_welcome/migration.sql", "utf8");
      await client.query(sql);
      await client.query(sql); // deploying it again adds nothing
      const rows = await client.query<{ name: string; user_id: string }>("select name, data->>'userId' as user_id from outbox_events where sent_at is null");
      const queuedFor = (id: string) => rows.rows.filter((r) => r.user_id === id).map((r) => r.name);
      expect(queuedFor(stuck)).toEqual(["user/email.verified"]);
      expect(queuedFor(inFlight)).toEqual(["user/email.verified"]); // the one it had
      for (const id of [sent, failed, unverified, recorded]) expect(queuedFor(id)).toEqual([]);
    } finally {
      await client.query("rollback").catch(() => {});
      await client.end();
    }
  });
});
