import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { authenticate, BAD_CREDENTIALS, LOGIN_LIMIT, LOGIN_WINDOW_MS } from "@/lib/accounts/authenticate";
import { makeUser, uniqueEmail } from "@/tests/factories";

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("authenticate", () => {
  it("logs in with the right password", async () => {
    const user = await makeUser({ password: "right-password" });
    expect(await authenticate(user.email, "right-password", "10.0.0.1")).toMatchObject({ id: user.id });
  });

  it("says the same thing for an unknown email and a wrong password", async () => {
    const user = await makeUser({ password: "right-password" });
    const wrong = await failure(authenticate(user.email, "wrong-password", "10.0.0.2"));
    const unknown = await failure(authenticate(uniqueEmail("nobody"), "wrong-password", "10.0.0.2"));
    expect(wrong.message).toBe(BAD_CREDENTIALS);
    expect(unknown.message).toBe(BAD_CREDENTIALS);
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
  });

  it("limits attempts per email and IP, then lets the window expire", async () => {
    const user = await makeUser({ password: "right-password" });
    const now = new Date();
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      expect((await failure(authenticate(user.email, "nope", "10.0.0.3", now))).code).toBe("unauthorized");
    }
    // Even the right password is refused while the window is full.
    const limited = await failure(authenticate(user.email, "right-password", "10.0.0.3", now));
    expect(limited.status).toBe(429);
    expect(limited.message).toMatch(/Too many login attempts\. Try again in 15 minutes\./);
    // Another IP is not affected…
    expect(await authenticate(user.email, "right-password", "10.0.0.4", now)).toMatchObject({ id: user.id });
    // …and after the window the first IP can log in again.
    const later = new Date(now.getTime() + LOGIN_WINDOW_MS + 1);
    expect(await authenticate(user.email, "right-password", "10.0.0.3", later)).toMatchObject({ id: user.id });
  });

  it("clears the count after a successful login", async () => {
    const user = await makeUser({ password: "right-password" });
    for (let i = 0; i < LOGIN_LIMIT - 1; i++) await failure(authenticate(user.email, "nope", "10.0.0.5"));
    await authenticate(user.email, "right-password", "10.0.0.5");
    for (let i = 0; i < LOGIN_LIMIT - 1; i++) await failure(authenticate(user.email, "nope", "10.0.0.5"));
    expect(await authenticate(user.email, "right-password", "10.0.0.5")).toMatchObject({ id: user.id });
  });
});
