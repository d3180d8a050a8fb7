import "server-only";
import { env } from "@/lib/env";
import type { LimitCheck } from "@/lib/accounts/rate-limit";

// Every limit the accounts feature keeps, by what it protects. The numbers are settings
// (RATE_LIMIT_* in lib/env.ts); `client` is the client's address as lib/accounts/client-ip.ts
// decides it (an IPv6 /64 counts as one), `email` the normalised address typed in the form.

/** Sign-up: per client, for everyone together, and sign-up emails per address. */
export function signUpLimits(client: string, email: string): LimitCheck[] {
  return [
    { key: `sign-up:client:${client}`, policy: env.RATE_LIMIT_SIGN_UP_PER_CLIENT, message: "Too many sign-ups from your network." },
    { key: "sign-up:global", policy: env.RATE_LIMIT_SIGN_UP_GLOBAL, message: "We are getting more sign-ups than we can take right now." },
    signUpEmailLimit(email),
  ];
}

/**
 * Emails a sign-up or a "send the link again" asks for, per address. It counts requests, not
 * accounts, so it behaves the same whether or not the address has one.
 */
function signUpEmailLimit(email: string): LimitCheck {
  return { key: `sign-up-email:address:${email}`, policy: env.RATE_LIMIT_SIGN_UP_EMAIL_PER_ADDRESS, message: "We have sent several emails to this address already." };
}

/** "Send the link again": per address (shared with sign-up) and per client. */
export function resendLimits(client: string, email: string): LimitCheck[] {
  return [
    { key: `resend:client:${client}`, policy: env.RATE_LIMIT_VERIFICATION_RESEND_PER_CLIENT, message: "You have asked for the link several times." },
    signUpEmailLimit(email),
  ];
}

/** "Send again" for a welcome email that failed for good: per account (only its owner can ask). */
export function welcomeEmailAgainLimits(userId: string): LimitCheck[] {
  return [{ key: `welcome-email-again:user:${userId}`, policy: env.RATE_LIMIT_WELCOME_EMAIL_AGAIN_PER_USER, message: "You have asked for the welcome email several times today." }];
}

/** A new avatar from the account page: per account. */
export function avatarUploadLimits(userId: string): LimitCheck[] {
  return [{ key: `avatar-upload:user:${userId}`, policy: env.RATE_LIMIT_AVATAR_UPLOAD_PER_USER, message: "You have uploaded several images already." }];
}

/** The one log-in limit a successful log-in clears: this account from this client. */
export const logInPairKey = (email: string, client: string) => `log-in:account-client:${email}:${client}`;

const LOG_IN_MESSAGE = "Too many login attempts.";

/** Log-in: this account from this client, this account from anywhere, this client for any account. */
export function logInLimits(email: string, client: string): LimitCheck[] {
  return [
    { key: logInPairKey(email, client), policy: env.RATE_LIMIT_LOG_IN_PER_ACCOUNT_CLIENT, message: LOG_IN_MESSAGE },
    { key: `log-in:account:${email}`, policy: env.RATE_LIMIT_LOG_IN_PER_ACCOUNT, message: LOG_IN_MESSAGE },
    { key: `log-in:client:${client}`, policy: env.RATE_LIMIT_LOG_IN_PER_CLIENT, message: LOG_IN_MESSAGE },
  ];
}
