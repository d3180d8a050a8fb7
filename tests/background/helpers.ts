import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { relayOutbox } from "@/lib/outbox/relay";
import { registerUser, type Registration } from "@/lib/accounts/registration";
import { waitFor } from "@/tests/harness/wait";

/** Signs someone up the way the route does: commit, then relay the outbox. */
export async function signUp(email: string, avatar?: Buffer): Promise<Registration> {
  const registration = await registerUser({ name: "Background Tester", email, password: "a good password", avatar });
  await relayOutbox({ ids: registration.outboxIds });
  return registration;
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
