// One application error type. Only its message reaches a person; anything else is logged and
// answered with a generic message (see toErrorResponse).
import { z } from "zod";

const statusByCode = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof statusByCode;
export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors?: FieldErrors;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { fieldErrors?: FieldErrors; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.fieldErrors = options.fieldErrors;
    this.headers = options.headers;
  }

  get status(): number {
    return statusByCode[this.code];
  }
}

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** What a person reads while the database is away (a restart, a failover): try again shortly. */
export const UNAVAILABLE_MESSAGE = "The service is briefly unavailable. Please try again in a few seconds.";

// PostgreSQL's connection failures (class 08), its shutdowns and start-up (57P01–57P03) and "too
// many connections"; Prisma's "can't reach", "timed out", "closed", pool timeout and "could not
// start a transaction in time" (P2028: every pooled connection busy, as a burst of sign-ups makes
// it; nothing was committed); the sockets'.
const UNAVAILABLE_CODES = /^(08\d{3}|08P01|57P0[123]|53300|P1001|P1002|P1008|P1017|P2024|P2028|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)$/;
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const UNAVAILABLE_MESSAGES = /Connection terminated|Can't reach database server|Server has closed the connection|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable/i;

/**
 * True when `error` says the database could not be reached or dropped the connection, however
 * Prisma and its pg adapter wrapped it (the driver's error sits in `cause` or
 * `meta.driverAdapterError`). Such a request did not commit: the answer is 503, not 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const value = queue.shift();
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    const v = value as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof v.code === "string" && UNAVAILABLE_CODES.test(v.code)) return true;
    if (typeof v.kind === "string" && UNAVAILABLE_KINDS.has(v.kind)) return true;
    if (typeof v.message === "string" && UNAVAILABLE_MESSAGES.test(v.message)) return true;
    queue.push(v.cause, v.meta?.driverAdapterError);
  }
  return false;
}

/** Maps any thrown value to an HTTP response for route handlers. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof z.ZodError) {
    return Response.json(
      { error: { code: "unprocessable", message: "Some fields are invalid.", fieldErrors: fieldErrorsOf(error) } },
      { status: 422 },
    );
  }
  if (error instanceof AppError) {
    return Response.json(
      { error: { code: error.code, message: error.message, fieldErrors: error.fieldErrors } },
      { status: error.status, headers: error.headers },
    );
  }
  if (isDatabaseUnavailable(error)) {
    // Expected during a database restart; the client is told to retry. Not an error of ours.
    console.warn("database unavailable; answered 503", error instanceof Error ? error.message : error);
    return Response.json({ error: { code: "unavailable", message: UNAVAILABLE_MESSAGE } }, { status: 503, headers: { "retry-after": "5" } });
  }
  console.error(error);
  return Response.json({ error: { code: "internal", message: "Something went wrong." } }, { status: 500 });
}

/**
 * The handler for the methods a route does not serve: Next.js answers those with a bare 405 and
 * no body; this one says which methods the address takes (found by `npm run abuse`).
 */
export function methodNotAllowed(allowed: string[]): () => Response {
  const list = allowed.join(", ");
  return () => Response.json({ error: { code: "method_not_allowed", message: `This address accepts ${list} only.` } }, { status: 405, headers: { allow: list } });
}
