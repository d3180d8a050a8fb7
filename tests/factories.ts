import { randomBytes, randomUUID, scryptSync } from "node:crypto";
import { createUser } from "@/lib/accounts/users";
import { db } from "@/lib/db";

export function uniqueEmail(prefix = "user") {
  return `${prefix}-${randomUUID()}@example.com`;
}

/** A member (verified, as every account made before verification existed is). */
export function makeUser(overrides: Partial<Parameters<typeof createUser>[0]> = {}) {
  return createUser({ name: "Test Person", email: uniqueEmail(), password: "test-password-1", ...overrides });
}

/** A hash as the app wrote them before argon2id: `scrypt$N$r$p$salt$hash`, N=2^14, r=8, p=1. */
export function legacyScryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFKC"), salt, 64, { N: 16_384, r: 8, p: 1 });
  return ["scrypt", 16_384, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** A dead letter as the recorder leaves one, failed (and maybe resolved) at the given times; its id. */
export async function makeDeadLetter(o: {
  status: "OPEN" | "RETRYING" | "RESOLVED";
  failedAt: Date;
  resolvedAt?: Date | null;
  functionId?: string;
  functionName?: string;
  errorMessage?: string;
  attempts?: number;
}): Promise<string> {
  const runId = `run-${randomUUID()}`;
  const row = await db.deadLetterJob.create({
    data: {
      functionId: o.functionId ?? "signup-app-test.fn",
      functionName: o.functionName ?? "Test function",
      runId,
      lastRunId: runId,
      eventName: "test/event",
      payload: {},
      errorName: "Error",
      errorMessage: o.errorMessage ?? "boom",
      attempts: o.attempts ?? 1,
      firstFailedAt: o.failedAt,
      lastFailedAt: o.failedAt,
      status: o.status,
      resolvedAt: o.resolvedAt ?? null,
    },
    select: { id: true },
  });
  return row.id;
}
