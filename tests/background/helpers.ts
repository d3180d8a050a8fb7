import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { relayOutbox } from "@/lib/outbox/relay";
import { acceptSignUp } from "@/lib/accounts/registration";
import { issueVerificationLink, verificationToken, verifyEmail } from "@/lib/accounts/verification";
import { waitFor } from "@/tests/harness/wait";

/**
 * Signs someone up the way the route does and verifies the address as its link does, at once —
 * before the verification's own run starts, which then finds the account verified and sends
 * nothing — then relays the outbox. `outboxIds` are what verification starts: the welcome email's
 * event first, then the avatar's (if any).
 */
export async function signUp(email: string, avatar?: Buffer): Promise<{ userId: string; outboxIds: string[] }> {
  const accepted = await acceptSignUp({ name: "Background Tester", email, password: "a good password", avatar });
  const { id: userId } = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
  const verified = await verifyEmail(verificationToken(await issueVerificationLink(userId)));
  if (!verified.ok) throw new Error(`could not verify ${email}: ${verified.reason}`);
  await relayOutbox({ ids: [...accepted.outboxIds, ...verified.outboxIds] });
  return { userId, outboxIds: verified.outboxIds };
}

export const address = (localPart: string) => `${localPart}+${randomUUID().slice(0, 8)}@example.com`;

export function userState(userId: string) {
  return db.user.findUniqueOrThrow({ where: { id: userId }, select: { welcomeEmailStatus: true, avatarStatus: true } });
}

/** The finished run a given event started for a function, with its steps and attempts. */
export async function finishedRun(eventId: string, functionId: string) {
  const summary = await waitFor(async () => {
    const runs = await executorApi.eventRuns(eventId);
    return runs.find((r) => r.function_id === functionId && ["Completed", "Failed", "Cancelled"].includes(r.status));
  }, `a finished ${functionId} run for event ${eventId}`);
  return (await executorApi.run(summary.run_id))!;
}

export const WELCOME_FN = "signup-app-user.welcome-email";
export const AVATAR_FN = "signup-app-user.avatar-process";

/**
 * Marks the outbox rows still unsent as sent. Files in a worker share its app database and run
 * one after another; rows an earlier file left unsent (its stack is gone) would otherwise be
 * relayed by this file's sweep, and their mail would land in this file's catcher.
 */
export async function settleEarlierOutbox(): Promise<void> {
  await db.outboxEvent.updateMany({ where: { sentAt: null }, data: { sentAt: new Date() } });
}
