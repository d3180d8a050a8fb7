import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { inngest } from "@/inngest/client";
import { userAvatarUploaded } from "@/inngest/events";
import { processAvatar } from "@/lib/avatars/resize";
import { replaceAvatar } from "@/lib/avatars/replace";
import { retryDeadLetter } from "@/lib/dead-letters/manage";
import { makeUser } from "@/tests/factories";
import { relayOutbox } from "@/lib/outbox/relay";
import { avatarKeys, storage } from "@/lib/avatars/storage";
import { startBackgroundStack, type BackgroundStack } from "@/tests/harness/background";
import { waitFor } from "@/tests/harness/wait";
import { address, AVATAR_FN, finishedRun, signUp, userState } from "./helpers";

let stack: BackgroundStack;
beforeAll(async () => {
  stack = await startBackgroundStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A real photo-like PNG with EXIF metadata, so we can check it is stripped. */
function photo(width = 640, height = 480) {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .composite([{ input: Buffer.from(`<svg width="${width}" height="${height}"><circle cx="${width / 2}" cy="${height / 2}" r="${height / 3}" fill="#1e40af"/></svg>`) }])
    .withExif({ IFD0: { Artist: "Secret Photographer" } })
    .jpeg()
    .toBuffer();
}

describe("avatar processing", () => {
  it("resizes an upload to 256 and 64 px WebP without metadata and marks it ready", async () => {
    const { userId, outboxIds } = await signUp(address("avatar"), await photo());
    const run = await finishedRun(outboxIds[1]!, AVATAR_FN);
    expect(run.status).toBe("Completed");
    expect(await userState(userId)).toMatchObject({ avatarStatus: "READY" });

    const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { avatarUploadId: true } });
    for (const size of [256, 64] as const) {
      const file = await storage().get(avatarKeys.sized(userId, user.avatarUploadId!, size));
      const meta = await sharp(file!).metadata();
      expect(meta).toMatchObject({ format: "webp", width: size, height: size });
      expect(meta.exif).toBeUndefined();
    }
  });

  it("writes one set of files when run twice on the same payload", async () => {
    const { userId, outboxIds } = await signUp(address("avatar-twice"), await photo(300, 300));
    await finishedRun(outboxIds[1]!, AVATAR_FN);
    const { avatarUploadId } = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { avatarUploadId: true } });
    const before = await storage().get(avatarKeys.sized(userId, avatarUploadId!, 256));

    const { ids } = await inngest.send({ name: userAvatarUploaded.name, data: { userId, uploadId: avatarUploadId! } });
    const second = await finishedRun(ids[0]!, AVATAR_FN);
    expect(second.output).toMatchObject({ status: "skipped", reason: "already processed" });
    expect(await processAvatar(userId, avatarUploadId!)).toEqual({ status: "skipped", reason: "already processed" });
    expect((await storage().get(avatarKeys.sized(userId, avatarUploadId!, 256)))!.equals(before!)).toBe(true);
  });

  it("gives up at once on an unreadable image and tells the person", async () => {
    // Bytes that passed the upload check but are damaged in storage by the time the job runs.
    const user = await db.user.create({
      data: { name: "Corrupt", email: address("corrupt"), passwordHash: "x", avatarStatus: "PROCESSING", avatarUploadId: randomUUID() },
      select: { id: true, avatarUploadId: true },
    });
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#fff" } }).png().toBuffer();
    await storage().put(avatarKeys.original(user.id, user.avatarUploadId!), png.subarray(0, 40));

    const { ids } = await inngest.send({ name: userAvatarUploaded.name, data: { userId: user.id, uploadId: user.avatarUploadId! } });
    const run = await finishedRun(ids[0]!, AVATAR_FN);
    expect(run.status).toBe("Failed");
    expect(run.attempts.filter((a) => a.step_name === "resize")).toHaveLength(1);
    await waitFor(async () => (await userState(user.id)).avatarStatus === "FAILED", "the avatar to be marked failed");
  });

  it("processes another image the person chooses after a failure, and resolves the failed one's dead letter", async () => {
    const email = address("another");
    const user = await db.user.create({
      data: { name: "Another", email, passwordHash: "x", emailVerifiedAt: new Date(), avatarStatus: "PROCESSING", avatarUploadId: randomUUID() },
      select: { id: true, avatarUploadId: true },
    });
    // The first upload's original is gone from storage: a permanent failure.
    const { ids } = await inngest.send({ name: userAvatarUploaded.name, data: { userId: user.id, uploadId: user.avatarUploadId! } });
    expect((await finishedRun(ids[0]!, AVATAR_FN)).status).toBe("Failed");
    await waitFor(async () => (await userState(user.id)).avatarStatus === "FAILED", "the avatar to be marked failed");
    const letter = await waitFor(() => db.deadLetterJob.findFirst({ where: { subjectUserId: user.id, status: "OPEN" } }), "the dead letter");

    // A file that only looks like an image is refused, and nothing changes.
    await expect(replaceAvatar({ id: user.id, email }, Buffer.from("not a picture at all"))).rejects.toMatchObject({ code: "unsupported_media_type" });
    expect(await userState(user.id)).toMatchObject({ avatarStatus: "FAILED" });

    const { outboxIds } = await replaceAvatar({ id: user.id, email }, await photo(320, 240));
    expect(await db.deadLetterJob.findUniqueOrThrow({ where: { id: letter.id } })).toMatchObject({ status: "RESOLVED", resolvedBy: email });
    await relayOutbox({ ids: outboxIds });
    expect((await finishedRun(outboxIds[0]!, AVATAR_FN)).status).toBe("Completed");
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { avatarStatus: true, avatarUploadId: true } });
    expect(after.avatarStatus).toBe("READY");
    expect(after.avatarUploadId).not.toBe(user.avatarUploadId);
    expect(await storage().get(avatarKeys.sized(user.id, after.avatarUploadId!, 256))).not.toBeNull();
  });

  it("shows the avatar processing again while an admin's retry runs, then ready", async () => {
    const user = await db.user.create({
      data: { name: "Restored", email: address("restored"), passwordHash: "x", emailVerifiedAt: new Date(), avatarStatus: "PROCESSING", avatarUploadId: randomUUID() },
      select: { id: true, avatarUploadId: true },
    });
    // The original is missing (a permanent failure) until an operator restores it from a backup.
    const { ids } = await inngest.send({ name: userAvatarUploaded.name, data: { userId: user.id, uploadId: user.avatarUploadId! } });
    expect((await finishedRun(ids[0]!, AVATAR_FN)).status).toBe("Failed");
    await waitFor(async () => (await userState(user.id)).avatarStatus === "FAILED", "the avatar to be marked failed");
    const letter = await waitFor(() => db.deadLetterJob.findFirst({ where: { subjectUserId: user.id, status: "OPEN" } }), "the dead letter");
    await storage().put(avatarKeys.original(user.id, user.avatarUploadId!), await photo(200, 200));

    const outboxId = await retryDeadLetter(letter.id, await makeUser({ role: "ADMIN" }), { confirmedPermanent: true });
    // Not "failed" while the retry runs: the account page goes on watching it.
    expect(await userState(user.id)).toMatchObject({ avatarStatus: "PROCESSING" });
    await relayOutbox({ ids: [outboxId] });
    expect((await finishedRun(outboxId, AVATAR_FN)).status).toBe("Completed");
    expect(await userState(user.id)).toMatchObject({ avatarStatus: "READY" });
  });
});
