import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { userAccountCreated, userSignUpRepeated } from "@/inngest/events";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { acceptSignUp } from "@/lib/accounts/registration";
import { verifyPassword } from "@/lib/accounts/password";
import { makeUser, uniqueEmail } from "@/tests/factories";

const photo = () => sharp({ create: { width: 64, height: 48, channels: 3, background: "#abc" } }).png().toBuffer();
const eventNames = async (ids: string[]) => (await db.outboxEvent.findMany({ where: { id: { in: ids } }, select: { name: true } })).map((r) => r.name);

describe("acceptSignUp", () => {
  it("creates an unverified account for a new address, and leaves an existing one as it was", async () => {
    const email = uniqueEmail("new");
    const fresh = await acceptSignUp({ name: "New Person", email, password: "a long password" });
    expect(await eventNames(fresh.outboxIds)).toEqual([userAccountCreated.name]);
    expect(await db.user.findUniqueOrThrow({ where: { email } })).toMatchObject({ name: "New Person", emailVerifiedAt: null, role: "USER", avatarStatus: "NONE" });

    const owner = await makeUser({ password: "owners password" });
    const repeat = await acceptSignUp({ name: "Intruder", email: owner.email, password: "intruders password" });
    expect(await eventNames(repeat.outboxIds)).toEqual([userSignUpRepeated.name]);
    const after = await db.user.findUniqueOrThrow({ where: { email: owner.email }, omit: { passwordHash: false } });
    expect(after.name).toBe(owner.name);
    expect(await verifyPassword("owners password", after.passwordHash)).toBe(true);
    expect(fresh.hashMs).toBeGreaterThan(0);
    expect(repeat.hashMs).toBeGreaterThan(0);
  });

  it("lets the unique index decide between concurrent sign-ups with one new address: one account, the rest are repeats", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => acceptSignUp({ name: `Racer ${i}`, email, password: "a long password" })));
    expect(await db.user.count({ where: { email } })).toBe(1);
    const names = await eventNames(results.flatMap((r) => r.outboxIds));
    expect(names.filter((n) => n === userAccountCreated.name)).toHaveLength(1);
    expect(names.filter((n) => n === userSignUpRepeated.name)).toHaveLength(4);
  });

  it("stores a new account's avatar, and drops a repeat's after the response", async () => {
    const fresh = await acceptSignUp({ name: "With Avatar", email: uniqueEmail("avatar"), password: "a long password", avatar: await photo() });
    const user = await db.user.findUniqueOrThrow({ where: { email: fresh.email } });
    const folder = (id: string) => path.resolve(env.DATA_DIR, "avatars", id);
    expect(user.avatarStatus).toBe("PROCESSING");
    expect(fs.existsSync(path.join(folder(user.id), user.avatarUploadId!, "original"))).toBe(true);
    await fresh.afterResponse();
    expect(fs.existsSync(folder(user.id))).toBe(true);

    const before = new Set(fs.readdirSync(path.resolve(env.DATA_DIR, "avatars")));
    const repeat = await acceptSignUp({ name: "Again", email: fresh.email, password: "a long password", avatar: await photo() });
    const written = fs.readdirSync(path.resolve(env.DATA_DIR, "avatars")).filter((d) => !before.has(d));
    expect(written).toHaveLength(1); // the same file work as a new sign-up…
    await repeat.afterResponse();
    expect(fs.existsSync(folder(written[0]!))).toBe(false); // …undone once the answer is out
    expect(fs.existsSync(folder(user.id))).toBe(true);
  });
});
