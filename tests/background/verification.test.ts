// The life of a sign-up in the background, with the real engine and mail catcher: the verification
// email (and nothing else) first; the link used once; one reminder; deletion with the uploads; an
// existing owner's notice once a day. Waits of hours and days pass on the executor's injected clock.
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inngest } from "@/inngest/client";
import { digestEmailRequested } from "@/inngest/events";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { relayOutbox } from "@/lib/outbox/relay";
import { acceptSignUp, recordEmailRequest } from "@/lib/accounts/registration";
import { checkVerificationToken, verifyEmail } from "@/lib/accounts/verification";
import { getPendingEmailState } from "@/lib/accounts/sign-up-attempts";
import { loadWelcomeRecipient } from "@/lib/accounts/welcome-email";
import { loadDigestRecipient } from "@/lib/digest/sending";
import { DIGEST_PLAN_PAGE, planDigestPage } from "@/lib/digest/batches";
import { findSessionUser } from "@/lib/accounts/sessions";
import { verifyPassword } from "@/lib/accounts/password";
import { startBackgroundStack, TIME_SCALE, type BackgroundStack } from "@/tests/harness/background";
import { waitFor } from "@/tests/harness/wait";
import { fakeClock } from "@/tests/schedules/helpers";
import { makeUser } from "@/tests/factories";
import { address, AVATAR_FN, finishedRun, WELCOME_FN } from "./helpers";

const VERIFY_FN = "signup-app-user.email-verification";
const SIGN_UP_EMAIL_FN = "signup-app-user.sign-up-email";
const HOUR = 3_600_000;
/** A spammer's choice of name: it must never reach a stranger's inbox. */
const SPAM_NAME = "BUY CHEAP PILLS AT spam.example";

const clock = fakeClock(new Date().toISOString());
let stack: BackgroundStack;
beforeAll(async () => {
  stack = await startBackgroundStack({ clock: clock.now });
});
afterAll(async () => {
  await stack?.stop();
});

/** Moves the executor's clock on by `hours` of (scaled) wait time, plus a little. */
const advance = (hours: number) => clock.set(new Date(clock.now() + hours * HOUR * TIME_SCALE + 2_000).toISOString());

const photo = () => sharp({ create: { width: 120, height: 90, channels: 3, background: "#0a7" } }).png().toBuffer();

async function signUp(email: string, options: { avatar?: Buffer; name?: string; password?: string } = {}) {
  const accepted = await acceptSignUp({ name: options.name ?? SPAM_NAME, email, password: options.password ?? "a good password", avatar: options.avatar });
  await relayOutbox({ ids: accepted.outboxIds });
  return accepted;
}

/** The link in an email: the token from its plain-text part. */
function linkIn(message: { text: string | null }): string {
  const match = /\/verify-email\?token=([\w.%-]+)/.exec(message.text ?? "");
  if (!match) throw new Error(`no verification link in: ${message.text}`);
  return decodeURIComponent(match[1]!);
}

/** Until the run has started the named wait (an event sent before that would not count). */
async function waitingAt(eventId: string, step: string) {
  return waitFor(async () => {
    const runs = await executorApi.eventRuns(eventId);
    const run = runs.find((r) => r.function_id === VERIFY_FN);
    if (!run) return null;
    const detail = await executorApi.run(run.run_id);
    return detail?.attempts.some((a) => a.step_name === step && a.outcome === "waiting") ? detail : null;
  }, `${step} to begin`);
}

/** Oldest first (the catcher lists newest first). */
const inOrder = <T extends { created_at: string }>(messages: T[]) => [...messages].sort((a, b) => a.created_at.localeCompare(b.created_at));
const subjects = async (email: string) => inOrder(await stack.mail.messages({ to: email })).map((m) => m.subject);

describe("verification", () => {
  it("sends the verification link first and nothing else; the link verifies once, logs in, and only then come the welcome email and the avatar", async () => {
    const email = address("verify");
    const accepted = await signUp(email, { avatar: await photo() });
    const [message] = await stack.mail.waitForMessages({ to: email });
    expect(message!.subject).toBe("Confirm your email for Signup Jobs");
    // Nothing the person typed is in it: not the name.
    expect(`${message!.html}${message!.text}`).not.toContain("PILLS");
    await waitFor(async () => (await getPendingEmailState(accepted.attemptId)) === "sent", "the attempt to show sent");

    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user).toMatchObject({ emailVerifiedAt: null, avatarStatus: "PROCESSING", welcomeEmailStatus: "QUEUED" });
    expect(await loadWelcomeRecipient(user.id)).toEqual({ status: "done", reason: "email not verified" });

    await waitingAt(accepted.outboxIds[0]!, "wait-for-verification");
    const token = linkIn(message!);
    expect(checkVerificationToken(token)).toMatchObject({ ok: true });
    const verified = await verifyEmail(token);
    if (!verified.ok) throw new Error(verified.reason);
    expect(await findSessionUser(verified.session.token)).toMatchObject({ id: user.id });
    expect(await verifyEmail(token)).toEqual({ ok: false, reason: "used" });
    await relayOutbox({ ids: verified.outboxIds });

    expect((await finishedRun(verified.outboxIds[0]!, WELCOME_FN)).status).toBe("Completed");
    expect((await finishedRun(verified.outboxIds[1]!, AVATAR_FN)).status).toBe("Completed");
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ welcomeEmailStatus: "SENT", avatarStatus: "READY" });
    const life = await finishedRun(accepted.outboxIds[0]!, VERIFY_FN);
    expect(life.output).toEqual({ outcome: "verified" });
    expect(await subjects(email)).toEqual(["Confirm your email for Signup Jobs", "Welcome to Signup Jobs"]);
  });

  it("refuses a forged, a tampered and an expired link", async () => {
    const email = address("links");
    await signUp(email);
    const token = linkIn((await stack.mail.waitForMessages({ to: email }))[0]!);
    const [body, signature] = token.split(".");
    const other = JSON.parse(Buffer.from(body!, "base64url").toString());
    const tampered = `${Buffer.from(JSON.stringify({ ...other, exp: other.exp + 86_400 })).toString("base64url")}.${signature}`;
    expect(await verifyEmail(tampered)).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyEmail("forged.token")).toEqual({ ok: false, reason: "invalid" });
    const expired = new Date(other.exp * 1000 + 1);
    expect(checkVerificationToken(token, expired)).toEqual({ ok: false, reason: "expired" });
    expect(await verifyEmail(token, expired)).toEqual({ ok: false, reason: "expired" });
    expect((await db.user.findUniqueOrThrow({ where: { email } })).emailVerifiedAt).toBeNull();
  });

  it("never verified: one reminder after VERIFICATION_REMINDER_HOURS, then deleted with its uploads after UNVERIFIED_ACCOUNT_DAYS", async () => {
    const email = address("never");
    const accepted = await signUp(email, { avatar: await photo() });
    await stack.mail.waitForMessages({ to: email });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    const uploads = path.resolve(env.DATA_DIR, "avatars", user.id);
    expect(fs.existsSync(uploads)).toBe(true);
    await waitingAt(accepted.outboxIds[0]!, "wait-for-verification");

    advance(env.VERIFICATION_REMINDER_HOURS);
    const [, reminder] = inOrder(await stack.mail.waitForMessages({ to: email, count: 2, timeoutMs: 20_000 }));
    expect(reminder!.subject).toBe("Reminder: confirm your email for Signup Jobs");
    expect(await db.user.count({ where: { id: user.id } })).toBe(1);
    await waitingAt(accepted.outboxIds[0]!, "wait-before-deletion");

    advance(env.UNVERIFIED_ACCOUNT_DAYS * 24 - env.VERIFICATION_REMINDER_HOURS);
    const life = await finishedRun(accepted.outboxIds[0]!, VERIFY_FN);
    expect(life.output).toEqual({ outcome: "deleted, never verified" });
    expect(await db.user.count({ where: { id: user.id } })).toBe(0);
    expect(fs.existsSync(uploads)).toBe(false);
    // Two emails in all, and the reminder's link now leads nowhere.
    expect(await subjects(email)).toHaveLength(2);
    expect(await verifyEmail(linkIn(reminder!))).toEqual({ ok: false, reason: "used" });
  });

  it("when a wait times out, the database decides: an account verified out of the wait's sight gets no reminder and is kept", async () => {
    const email = address("quiet");
    const accepted = await signUp(email);
    await stack.mail.waitForMessages({ to: email });
    await waitingAt(accepted.outboxIds[0]!, "wait-for-verification");
    // As if the click had come before the wait began: verified, with no event for the wait to see.
    await db.user.update({ where: { email }, data: { emailVerifiedAt: new Date() } });
    advance(env.VERIFICATION_REMINDER_HOURS);
    const life = await finishedRun(accepted.outboxIds[0]!, VERIFY_FN);
    expect(life.output).toEqual({ outcome: "verified or gone before the reminder" });
    expect(await subjects(email)).toEqual(["Confirm your email for Signup Jobs"]);
    expect(await db.user.count({ where: { email } })).toBe(1);
  });
});

describe("a sign-up with an address that has an account", () => {
  it("gives a verified owner one notice a day, with no word of the person who tried; every attempt shows sent", async () => {
    const owner = await makeUser({ password: "owners-password" });
    const first = await signUp(owner.email, { password: "attackers-password" });
    const second = await signUp(owner.email, { password: "attackers-password" });
    const firstRun = await finishedRun(first.outboxIds[0]!, SIGN_UP_EMAIL_FN);
    const secondRun = await finishedRun(second.outboxIds[0]!, SIGN_UP_EMAIL_FN);
    expect([firstRun.status, secondRun.status]).toEqual(["Completed", "Completed"]);

    const messages = await stack.mail.messages({ to: owner.email });
    expect(messages.map((m) => m.subject)).toEqual(["Someone tried to sign up with your address"]);
    expect(`${messages[0]!.html}${messages[0]!.text}`).not.toContain("PILLS");
    // The second was decided without calling the provider.
    expect(await stack.mail.requests({ to: owner.email })).toHaveLength(1);
    expect(secondRun.output).toMatchObject({ sent: "none", reason: expect.stringMatching(/^notice already sent on \d{4}-\d{2}-\d{2}$/) });
    expect(await getPendingEmailState(first.attemptId)).toBe("sent");
    expect(await getPendingEmailState(second.attemptId)).toBe("sent");

    // The owner's account is as it was: one account, their password, their name.
    const after = await db.user.findUniqueOrThrow({ where: { email: owner.email }, omit: { passwordHash: false } });
    expect(await verifyPassword("owners-password", after.passwordHash)).toBe(true);
    expect(after.name).toBe(owner.name);
  });

  it("gives an unverified account a fresh link instead (no other mail), and so does 'send it again'", async () => {
    const email = address("twice");
    await signUp(email);
    await stack.mail.waitForMessages({ to: email });
    const repeat = await signUp(email);
    await finishedRun(repeat.outboxIds[0]!, SIGN_UP_EMAIL_FN);
    const resendId = crypto.randomUUID();
    const [resendEvent] = await recordEmailRequest(email, resendId);
    await relayOutbox({ ids: [resendEvent!] });
    await finishedRun(resendEvent!, SIGN_UP_EMAIL_FN);
    expect(await subjects(email)).toEqual(["Confirm your email for Signup Jobs", "Confirm your email for Signup Jobs", "Confirm your email for Signup Jobs"]);
    // Any of the links works (once); using one uses up the others.
    const [, second, third] = inOrder(await stack.mail.messages({ to: email }));
    expect(await verifyEmail(linkIn(third!))).toMatchObject({ ok: true });
    expect(await verifyEmail(linkIn(second!))).toEqual({ ok: false, reason: "used" });
  });

  it("an address without an account: a resend sends nothing and still shows sent", async () => {
    const email = address("nobody");
    const attemptId = crypto.randomUUID();
    const [eventId] = await recordEmailRequest(email, attemptId);
    await relayOutbox({ ids: [eventId!] });
    expect((await finishedRun(eventId!, SIGN_UP_EMAIL_FN)).output).toEqual({ sent: "none", reason: "no account for the address" });
    expect(await getPendingEmailState(attemptId)).toBe("sent");
    expect(await stack.mail.requests({ to: email })).toHaveLength(0);
  });
});

describe("unverified accounts get no other mail", () => {
  it("no digest and no welcome email", async () => {
    const email = address("nodigest");
    await signUp(email);
    await stack.mail.waitForMessages({ to: email });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    // The week's planning, as digest.weekly runs it (a week of its own: no other test plans it).
    const week = "2031-W07";
    const verified = await makeUser(); // verified, as createUser leaves an account
    for (let page = 0; ; page++) {
      if ((await planDigestPage(week, `test-plan-${crypto.randomUUID()}`, page)).listed < DIGEST_PLAN_PAGE) break;
    }
    const planned = (await db.digestBatchMember.findMany({ where: { week }, select: { userId: true } })).map((m) => m.userId);
    expect(planned).toContain(verified.id);
    expect(planned).not.toContain(user.id);
    expect(await loadDigestRecipient(user.id, week)).toEqual({ status: "done", reason: "email not verified" });
    // Even asked for directly, the digest function sends nothing.
    const { ids } = await inngest.send({ name: digestEmailRequested.name, data: { userId: user.id, week } });
    const run = await waitFor(async () => (await executorApi.eventRuns(ids[0]!)).find((r) => r.status === "Completed"), "the digest run");
    expect((await executorApi.run(run.run_id))?.output).toEqual({ skipped: "email not verified" });
    expect(await subjects(email)).toEqual(["Confirm your email for Signup Jobs"]);
  });
});
