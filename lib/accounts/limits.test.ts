import { describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { enforceLimits } from "@/lib/accounts/rate-limit";
import { resendLimits, signUpLimits } from "@/lib/accounts/limits";
import { uniqueEmail } from "@/tests/factories";

// "Send the link again" (lib/accounts/actions/resend-verification.ts) runs exactly these checks.
// Limits live in the database, so each test has its own client addresses and emails.
let net = 0;
const freshClient = () => `10.${(net = (net + 1) % 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe("send the link again: limits", () => {
  it("refuses one client asking for links for many addresses, with 429 and retry-after; another client still gets in", async () => {
    const client = freshClient();
    const now = new Date();
    const perClient = env.RATE_LIMIT_VERIFICATION_RESEND_PER_CLIENT;
    for (let i = 0; i < perClient.limit; i++) await enforceLimits(resendLimits(client, uniqueEmail("resend")), now);
    const refused = await refusal(enforceLimits(resendLimits(client, uniqueEmail("resend")), now));
    expect(refused.code).toBe("rate_limited");
    expect(refused.message).toMatch(/^You have asked for the link several times\. Try again in \d+ (minutes?|hours?)\.$/);
    expect(Number(refused.headers?.["retry-after"])).toBeGreaterThan(0);
    await expect(enforceLimits(resendLimits(freshClient(), uniqueEmail("resend")), now)).resolves.toBeUndefined();
    // The window ends: the same client may ask again.
    await expect(enforceLimits(resendLimits(client, uniqueEmail("resend")), new Date(now.getTime() + perClient.windowMs + 1000))).resolves.toBeUndefined();
  });

  it("shares the per-address count with sign-up: an address that has had its emails gets no more from any client", async () => {
    const email = uniqueEmail("resend-shared");
    const now = new Date();
    for (let i = 0; i < env.RATE_LIMIT_SIGN_UP_EMAIL_PER_ADDRESS.limit; i++) await enforceLimits(signUpLimits(freshClient(), email), now);
    const refused = await refusal(enforceLimits(resendLimits(freshClient(), email), now));
    expect(refused.message).toMatch(/^We have sent several emails to this address already\./);
  });
});
