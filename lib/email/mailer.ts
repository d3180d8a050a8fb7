import "server-only";
import { NonRetriableError, RetryAfterError } from "inngest";
import { Resend } from "resend";
import { env } from "@/lib/env";

/**
 * The provider already accepted a different message under this idempotency key: whatever this key
 * stands for ("today's alert for this admin") has been sent. Permanent, and callers may treat it
 * as done.
 */
export class IdempotencyKeyReusedError extends NonRetriableError {
  constructor(message: string) {
    super(message);
    this.name = "IdempotencyKeyReusedError";
  }
}

export type OutgoingEmail = { to: string; subject: string; html: string; text: string; idempotencyKey: string; headers?: Record<string, string> };

const SEND_TIMEOUT_MS = 15_000;

let client: Resend | undefined;
function resend(): Resend {
  // Locally RESEND_BASE_URL points at the mail catcher, which accepts any key.
  return (client ??= new Resend(env.RESEND_API_KEY ?? "re_local_mail_catcher", { baseUrl: env.RESEND_BASE_URL }));
}

/**
 * Sends through the Resend SDK and sorts failures the way retries need them: a 4xx other than 429
 * will fail the same way again (bad address, invalid payload) → NonRetriableError; 429 → retry
 * after the provider's delay; 5xx, network errors and timeouts → ordinary (retried) errors.
 * The idempotency key makes a repeated send (after a crash between send and marker) a no-op.
 */
export async function sendEmail(email: OutgoingEmail): Promise<{ providerId: string }> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`Email provider did not answer within ${SEND_TIMEOUT_MS / 1000}s`)), SEND_TIMEOUT_MS).unref(),
  );
  const { data, error, headers } = await Promise.race([
    resend().emails.send(
      { from: env.MAIL_FROM, to: email.to, subject: email.subject, html: email.html, text: email.text, headers: email.headers },
      { idempotencyKey: email.idempotencyKey },
    ),
    timeout,
  ]);
  if (data) return { providerId: data.id };

  const status = error?.statusCode ?? null;
  const message = `Email provider answered ${status ?? "no status"}: ${error?.message ?? "unknown error"}`;
  if (status === 429) {
    const seconds = Number(headers?.["retry-after"]);
    throw new RetryAfterError(message, Number.isFinite(seconds) && seconds > 0 ? `${Math.ceil(seconds)}s` : "60s");
  }
  // Another attempt with the same idempotency key is still in flight: it will settle, try again.
  if (status === 409 && error?.name === "concurrent_idempotent_requests") throw new Error(message);
  if (status === 409 && error?.name === "invalid_idempotent_request") throw new IdempotencyKeyReusedError(message);
  if (status !== null && status >= 400 && status < 500) throw new NonRetriableError(message);
  throw new Error(message);
}
