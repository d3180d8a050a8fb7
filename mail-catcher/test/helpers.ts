import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Resend } from "resend";
import { afterEach } from "vitest";
import { startMailCatcher, type MailCatcher, type StartMailCatcherOptions } from "../index";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mail-catcher-test-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A silent catcher on a free port with its own data dir, stopped after the test. */
export async function startTestCatcher(
  options: Partial<StartMailCatcherOptions> = {},
): Promise<{ catcher: MailCatcher; resend: Resend }> {
  const dataDir = options.dataDir ?? (await tempDir());
  const catcher = await startMailCatcher({ port: 0, log: false, ...options, dataDir });
  cleanups.push(() => catcher.stop());
  return { catcher, resend: new Resend("re_test_key", { baseUrl: catcher.url }) };
}

export const FROM = "Acme <noreply@acme.test>";

export function email(to: string | string[], extra: Record<string, unknown> = {}) {
  return { from: FROM, to, subject: "Welcome", html: "<p>Hello</p>", text: "Hello", ...extra };
}

/** A raw request to the catcher, for what the SDK cannot send (no key, broken JSON…). */
export async function raw(
  catcher: MailCatcher,
  pathname: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const response = await fetch(`${catcher.url}${pathname}`, {
    method: init.method ?? "POST",
    body: init.body,
    headers: init.headers,
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // HTML pages and empty bodies stay null.
  }
  return { status: response.status, headers: response.headers, json, text };
}

export const AUTH = { authorization: "Bearer re_test_key", "content-type": "application/json" };
