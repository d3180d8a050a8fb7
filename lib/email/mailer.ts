import "server-only";
import { NonRetriableError, RetryAfterError } from "inngest";
import { Resend } from "resend";
import { env } from "@/lib/env";
import { awaitTransactionalSlot, MAX_STALE_SLOTS, reserveSlot, sleptOnTime } from "@/lib/email/pace";

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
  // Transactional lane of the shared pacer (lib/email/pace.ts): the request leaves at its slot.
  await awaitTransactionalSlot();
  const { data, error, headers } = await Promise.race([
    resend().emails.send(
      { from: env.MAIL_FROM, to: email.to, subject: email.subject, html: email.html, text: email.text, headers: email.headers },
      { idempotencyKey: email.idempotencyKey },
    ),
    sendTimeout(),
  ]);
  if (data) return { providerId: data.id };
  throw providerError(error, headers);
}

const sendTimeout = () =>
  new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`Email provider did not answer within ${SEND_TIMEOUT_MS / 1000}s`)), SEND_TIMEOUT_MS).unref(),
  );

/** The SDK's error answer as the error retries need (see sendEmail). */
function providerError(error: { statusCode?: number | null; name?: string; message?: string } | null, headers: Record<string, string> | null | undefined): Error {
  const status = error?.statusCode ?? null;
  const message = `Email provider answered ${status ?? "no status"}: ${error?.message ?? "unknown error"}`;
  if (status === 429) {
    const seconds = Number(headers?.["retry-after"]);
    return new RetryAfterError(message, Number.isFinite(seconds) && seconds > 0 ? `${Math.ceil(seconds)}s` : "60s");
  }
  // Another attempt with the same idempotency key is still in flight: it will settle, try again.
  if (status === 409 && error?.name === "concurrent_idempotent_requests") return new Error(message);
  if (status === 409 && error?.name === "invalid_idempotent_request") return new IdempotencyKeyReusedError(message);
  if (status !== null && status >= 400 && status < 500) return new NonRetriableError(message);
  return new Error(message);
}

export type BatchEmail = Omit<OutgoingEmail, "idempotencyKey">;
export type BatchOutcome =
  | { status: "deferred"; retryInMs: number }
  | { status: "sent"; results: ({ index: number; providerId: string } | { index: number; error: string })[] };

/**
 * One provider request for up to 100 emails (Resend's batch endpoint), in the bulk lane of the
 * pacer: when the slot is not free within `maxWaitMs` nothing is sent and the caller is told when
 * to come back (it sleeps in the executor, not in a request). Permissive validation: an invalid
 * recipient fails alone and is listed by index; the others are sent. The idempotency key makes a
 * repeated request (a lost answer, a crash before the markers) return the first answer.
 */
export async function sendBatch(emails: BatchEmail[], idempotencyKey: string, options: { maxWaitMs: number }): Promise<BatchOutcome> {
  if (emails.length < 1 || emails.length > 100) throw new NonRetriableError(`A batch holds 1 to 100 emails, got ${emails.length}`);
  // Within `maxWaitMs` the batch waits here for transactional mail queued ahead to drain (usually
  // one slot); beyond it the run sleeps in the executor. A late slot is given up (see sleptOnTime).
  const deadline = performance.now() + options.maxWaitMs;
  for (let stale = 0; ; ) {
    const slot = await reserveSlot("bulk", Math.max(0, deadline - performance.now()));
    if (!slot.granted) {
      if (performance.now() + slot.retryInMs > deadline) return { status: "deferred", retryInMs: slot.retryInMs };
      await new Promise((resolve) => setTimeout(resolve, slot.retryInMs));
      continue;
    }
    if ((await sleptOnTime(slot)) || ++stale >= MAX_STALE_SLOTS) break;
  }
  const { data, error, headers } = await Promise.race([
    resend().batch.send(
      emails.map((e) => ({ from: env.MAIL_FROM, to: e.to, subject: e.subject, html: e.html, text: e.text, headers: e.headers })),
      { idempotencyKey, batchValidation: "permissive" },
    ),
    sendTimeout(),
  ]);
  if (!data) throw providerError(error, headers);
  const failed = new Map((data.errors ?? []).map((e) => [e.index, e.message]));
  const ids = data.data.map((d) => d.id);
  const results: ({ index: number; providerId: string } | { index: number; error: string })[] = [];
  for (let index = 0; index < emails.length; index++) {
    const problem = failed.get(index);
    if (problem !== undefined) {
      results.push({ index, error: problem });
      continue;
    }
    const id = ids.shift();
    if (id === undefined) throw new Error(`Email provider answered the batch with fewer ids than accepted emails (index ${index})`);
    results.push({ index, providerId: id });
  }
  return { status: "sent", results };
}
