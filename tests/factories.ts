import { randomUUID } from "node:crypto";
import { createUser } from "@/lib/accounts/users";

export function uniqueEmail(prefix = "user") {
  return `${prefix}-${randomUUID()}@example.com`;
}

export function makeUser(overrides: Partial<Parameters<typeof createUser>[0]> = {}) {
  return createUser({ name: "Test Person", email: uniqueEmail(), password: "test-password-1", ...overrides });
}
