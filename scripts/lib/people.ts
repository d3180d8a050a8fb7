// What the reliability suites (chaos, abuse, soak) do as a person would, over plain HTTP against
// `next start`: sign up (JSON, or multipart with an avatar), follow the verification link from the
// email and press its button (the form posted the way a browser without JavaScript posts it).
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import type { MailCatcherClient } from "@signup-jobs/mail-catcher";

export const PASSWORD = "a long enough password";

/** How long any one request may take before the suites call it a hang. */
export const REQUEST_BOUND_MS = 15_000;

let photo: Buffer | undefined;
/** A small real PNG: the avatar resize has something to do. */
export async function avatarPng(): Promise<Buffer> {
  return (photo ??= await sharp({ create: { width: 160, height: 120, channels: 3, background: "#2a6" } }).png().toBuffer());
}

export const newAddress = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

export type SignUpResult = { status: number; ms: number; body: string; timedOut: boolean };

/** POST /api/users; a request past REQUEST_BOUND_MS counts as a hang (status 0, timedOut). */
export async function signUp(appUrl: string, email: string, options: { avatar?: Buffer; headers?: Record<string, string> } = {}): Promise<SignUpResult> {
  const started = performance.now();
  let body: BodyInit;
  const headers: Record<string, string> = { ...options.headers };
  if (options.avatar) {
    const form = new FormData();
    form.set("name", "Chaos Person");
    form.set("email", email);
    form.set("password", PASSWORD);
    form.set("avatar", new Blob([new Uint8Array(options.avatar)], { type: "image/png" }), "me.png");
    body = form;
  } else {
    headers["content-type"] = "application/json";
    body = JSON.stringify({ name: "Chaos Person", email, password: PASSWORD });
  }
  try {
    const response = await fetch(`${appUrl}/api/users`, { method: "POST", headers, body, signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
    const text = await response.text();
    return { status: response.status, ms: performance.now() - started, body: text, timedOut: false };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { status: 0, ms: performance.now() - started, body: error instanceof Error ? error.message : String(error), timedOut };
  }
}

export const SUBJECTS = {
  verification: "Confirm your email for Signup Jobs",
} as const;

/** The kind of an email, by its subject: what "duplicate per recipient and kind" groups by. */
export function kindOf(subject: string): string {
  if (/confirm your email/i.test(subject)) return "verification";
  if (/welcome/i.test(subject)) return "welcome";
  return subject;
}

/** The verification link in an email's plain-text part. */
export function verificationLink(text: string | null): string {
  const match = /(https?:\/\/[^\s]+\/verify-email\?token=[\w.%-]+)/.exec(text ?? "");
  if (!match) throw new Error(`no verification link in: ${text?.slice(0, 200)}`);
  return match[1]!;
}

const decode = (value: string) =>
  value.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The hidden fields of the first form on a page whose tag matches `formTag`, as a browser would post them. */
export function formFields(html: string, formTag: RegExp): FormData {
  const form = new RegExp(`<form[^>]*${formTag.source}[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!form) throw new Error("the form is not on the page");
  const data = new FormData();
  for (const [, attributes] of form[1]!.matchAll(/<input([^>]*)>/g)) {
    const name = /\sname="([^"]*)"/.exec(attributes!)?.[1];
    if (!name) continue;
    data.append(decode(name), decode(/\svalue="([^"]*)"/.exec(attributes!)?.[1] ?? ""));
  }
  return data;
}

/**
 * Opens the link from the email (on this app: the email's origin is APP_URL, which may name
 * localhost) and presses "Confirm my email". Returns the final status: 303 to /account on success.
 */
export async function followVerificationLink(appUrl: string, link: string): Promise<{ status: number; location: string | null }> {
  const url = new URL(link);
  const target = `${appUrl}${url.pathname}${url.search}`;
  const page = await fetch(target, { signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
  const html = await page.text();
  const response = await fetch(target, {
    method: "POST",
    headers: { origin: appUrl },
    body: formFields(html, /aria-label="Confirm your email"/),
    redirect: "manual",
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });
  await response.arrayBuffer();
  return { status: response.status, location: response.headers.get("location") };
}

/** Waits for the verification email to `email` and uses its link; throws when either fails. */
export async function verifyByEmail(appUrl: string, mail: MailCatcherClient, email: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await mail.waitForMessages({ to: email, timeoutMs: Math.min(55_000, Math.max(1, deadline - Date.now())) }).catch(() => []);
    const message = messages.find((m) => kindOf(m.subject) === "verification");
    if (message) {
      const result = await followVerificationLink(appUrl, verificationLink(message.text));
      if (result.status === 303 && result.location?.includes("/account")) return;
      throw new Error(`verifying ${email}: ${result.status} ${result.location ?? ""}`);
    }
    if (Date.now() >= deadline) throw new Error(`no verification email to ${email} within ${timeoutMs} ms`);
  }
}
