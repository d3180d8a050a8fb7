// The Resend API subset: POST /emails, POST /emails/batch, GET /emails/:id.
// Order of checks, as Resend does it: auth, body, validation, idempotency, then the send itself,
// where fault injection stands in for the provider's own failures.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { normalizeAddress } from "./addresses";
import type { CatcherContext, RouteOutcome } from "./context";
import { MESSAGES, errorBody, unsupportedMediaType } from "./errors";
import type { Decision } from "./faults";
import { fingerprint } from "./fingerprint";
import { bearerToken, isJsonContentType, sameSecret } from "./guard";
import { BodyTooLargeError, delay, discardRest, readBody, sendJson } from "./http";
import { rateLimitHeaders, rateLimitMessage } from "./rate-limit";
import { MAX_BATCH, batchEmailSchema, describeIssue, emailSchema, type EmailInput } from "./schemas";
import type { StoredMessage } from "./types";

type Endpoint = StoredMessage["endpoint"];

/** The request-log `source` of a 429 answered by the rate limit. */
const RATE_LIMIT_SOURCE = "rate-limit";

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  source?: string | null;
  messageIds?: string[];
}

/** An answer now, or a send to perform once the simulated provider time has passed. */
type Plan =
  | { kind: "reply"; reply: Reply; recipients: string[]; delayMs?: number }
  | { kind: "send"; recipients: string[]; delayMs: number; run: () => Promise<Reply>; release: () => void };

/** Headers every answer to this request carries (the rate limit's), whatever the plan. */
interface RequestMeta {
  headers: Record<string, string>;
}

function fail(status: number, name: string, message: string, extra: Omit<Reply, "status" | "body"> = {}): Reply {
  return { status, body: errorBody(status, name, message), ...extra };
}

export async function handleSend(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: CatcherContext,
  endpoint: Endpoint,
): Promise<RouteOutcome> {
  const started = Date.now();
  const key = headerValue(req, "idempotency-key");
  const meta: RequestMeta = { headers: {} };
  const plan = await planSend(req, ctx, endpoint, key, meta);
  let reply: Reply;
  try {
    // Latency is the provider's processing time: every answer, success or error, takes at least
    // that long, and an idempotency key stays "in progress" for all of it.
    await delay(started + ctx.latencyMs + (plan.delayMs ?? 0) - Date.now(), ctx.signal);
    if (ctx.signal.aborted) {
      res.destroy();
      return { recipients: plan.recipients, note: "stopped before answering" };
    }
    // The send is stored even if the client gave up meanwhile, as with a real provider: that is
    // the case an idempotency key on the retry exists for.
    reply = plan.kind === "send" ? await plan.run() : plan.reply;
  } finally {
    if (plan.kind === "send") plan.release();
  }
  sendJson(res, reply.status, reply.body, { ...meta.headers, ...reply.headers });
  ctx.counters.record(`POST ${endpoint}`, {
    status: reply.status,
    rateLimited: reply.source === RATE_LIMIT_SOURCE,
    emailsAccepted: reply.status === 200 && reply.source !== "idempotent-replay" ? (reply.messageIds?.length ?? 0) : 0,
  });
  ctx.attempts.record({
    at: new Date(ctx.now()).toISOString(),
    method: req.method ?? "POST",
    path: endpoint,
    status: reply.status,
    error: bodyField(reply.body, "name"),
    message: bodyField(reply.body, "message"),
    recipients: plan.recipients,
    idempotency_key: key ?? null,
    message_ids: reply.messageIds ?? [],
    source: reply.source ?? null,
    duration_ms: Date.now() - started,
  });
  return { recipients: plan.recipients, note: reply.source ?? null };
}

async function planSend(
  req: IncomingMessage,
  ctx: CatcherContext,
  endpoint: Endpoint,
  key: string | undefined,
  meta: RequestMeta,
): Promise<Plan> {
  const reply = (r: Reply, recipients: string[] = []): Plan => ({ kind: "reply", reply: r, recipients });

  const auth = checkAuth(req, ctx);
  if ("error" in auth) {
    discardRest(req, ctx.maxBodyBytes);
    return reply(auth.error);
  }
  // Like Resend, every authenticated request counts against the limit, whatever its answer.
  const limited = applyRateLimit(ctx, auth.apiKey, meta);
  if (limited) return reply(limited, await recipientsOfRefused(req, ctx));
  // A browser page can POST text/plain or a form anywhere without asking; JSON it must ask for.
  const contentType = headerValue(req, "content-type");
  if (!isJsonContentType(contentType)) {
    discardRest(req, ctx.maxBodyBytes);
    return reply(fail(415, "validation_error", unsupportedMediaType(contentType)));
  }
  if (key !== undefined && (key.length < 1 || key.length > 256)) {
    discardRest(req, ctx.maxBodyBytes);
    return reply(fail(400, "invalid_idempotency_key", MESSAGES.idempotencyKeyInvalid));
  }

  let raw: Buffer;
  try {
    raw = await readBody(req, ctx.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      discardRest(req, ctx.maxBodyBytes * 4);
      return reply(
        fail(413, "validation_error", `The request body is larger than the ${formatBytes(ctx.maxBodyBytes)} limit.`, {
          headers: { connection: "close" },
        }),
      );
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    return reply(fail(400, "validation_error", MESSAGES.invalidJson));
  }

  const batchMode = endpoint === "/emails/batch" ? batchValidationMode(req) : null;
  const parsed = endpoint === "/emails" ? parseSingle(json) : parseBatch(json, batchMode === "permissive");
  if ("error" in parsed) return reply(fail(422, "validation_error", parsed.error), parsed.recipients);
  const { emails, invalid } = parsed;
  const recipients = unique([...emails.flatMap(({ email }) => recipientsOf(email)), ...invalid.flatMap((i) => i.recipients)]);

  let idempotency: { key: string; fingerprint: string } | null = null;
  if (key !== undefined) {
    const print = fingerprint([endpoint, batchMode ?? ""], json);
    const previous = ctx.store.idempotency(key);
    if (previous) {
      if (previous.fingerprint !== print) {
        return reply(fail(409, "invalid_idempotent_request", MESSAGES.idempotencyConflict, { source: "idempotency-conflict" }), recipients);
      }
      return reply(
        { status: 200, body: previous.responseBody, source: "idempotent-replay", messageIds: previous.messageIds },
        recipients,
      );
    }
    // Resend answers a second request with the same key while the first is running with 409;
    // the caller retries and then gets the replay above.
    if (ctx.inFlight.has(key)) {
      return reply(fail(409, "concurrent_idempotent_requests", MESSAGES.idempotencyConcurrent, { source: "idempotency-in-flight" }), recipients);
    }
    idempotency = { key, fingerprint: print };
  }

  // Faults are decided now, email by email, and only the ones actually served are counted (at
  // once, so concurrent retries of one address see each other's attempts). In a permissive batch a
  // rejected address (400/422) fails only its own email, like an invalid one, and uses up one of
  // its rule's `times`; any other fault (429, 5xx…) fails the whole request.
  const permissive = batchMode === "permissive";
  const accepted: { email: EmailInput; index: number; decision: Decision; commit: () => void }[] = [];
  const rejected: { index: number; message: string; source: string | null }[] = [];
  let delayMs = 0;
  for (const { email, index } of emails) {
    const { decision, commit } = ctx.faults.decide(recipientsOf(email));
    delayMs = Math.max(delayMs, decision.delayMs);
    if (decision.status === 200) {
      accepted.push({ email, index, decision, commit });
    } else if (permissive && isPerEmailFailure(decision)) {
      commit();
      rejected.push({ index, message: decision.message ?? "The email was rejected.", source: decision.source });
    } else {
      commit();
      return { ...reply(faultReply(decision, ctx), recipients), delayMs };
    }
  }
  for (const a of accepted) a.commit();

  const errors = [...invalid.map(({ index, message }) => ({ index, message })), ...rejected.map(({ index, message }) => ({ index, message }))].sort(
    (a, b) => a.index - b.index,
  );
  const source = rejected[0]?.source ?? accepted.find((a) => a.decision.source)?.decision.source ?? null;
  if (key !== undefined) ctx.inFlight.add(key);
  return {
    kind: "send",
    recipients,
    delayMs,
    release: () => {
      if (key !== undefined) ctx.inFlight.delete(key);
    },
    run: async () => {
      const createdAt = new Date(ctx.now()).toISOString();
      const messages = accepted.map(({ email, index }) =>
        toStored(email, { createdAt, key: key ?? null, endpoint, batchIndex: endpoint === "/emails" ? null : index }),
      );
      const ids = messages.map((m) => ({ id: m.id }));
      const body =
        endpoint === "/emails"
          ? { id: messages[0]?.id }
          : batchMode === "permissive"
            ? { data: ids, errors }
            : { data: ids };
      // A permissive batch whose every email failed stores nothing, unless its key must be kept.
      if (messages.length > 0 || idempotency) await ctx.store.commit({ endpoint, idempotency, messages, responseBody: body });
      return { status: 200, body, messageIds: messages.map((m) => m.id), source };
    },
  };
}

export async function handleGetEmail(req: IncomingMessage, res: ServerResponse, ctx: CatcherContext, id: string): Promise<RouteOutcome> {
  const started = Date.now();
  discardRest(req, ctx.maxBodyBytes);
  const auth = checkAuth(req, ctx);
  const meta: RequestMeta = { headers: {} };
  const refused = "error" in auth ? auth.error : applyRateLimit(ctx, auth.apiKey, meta);
  const message = refused ? undefined : ctx.store.get(id);
  await delay(started + ctx.latencyMs - Date.now(), ctx.signal);
  if (ctx.signal.aborted) {
    res.destroy();
    return {};
  }
  const status = refused ? refused.status : message ? 200 : 404;
  ctx.counters.record("GET /emails/:id", { status, rateLimited: refused?.source === RATE_LIMIT_SOURCE, emailsAccepted: 0 });
  if (refused) sendJson(res, refused.status, refused.body, { ...meta.headers, ...refused.headers });
  else if (!message) sendJson(res, 404, errorBody(404, "not_found", "Email not found"), meta.headers);
  else {
    sendJson(res, 200, {
      object: "email",
      id: message.id,
      to: message.to,
      from: message.from,
      created_at: message.created_at,
      subject: message.subject,
      html: message.html,
      text: message.text,
      cc: message.cc.length ? message.cc : null,
      bcc: message.bcc.length ? message.bcc : null,
      reply_to: message.reply_to.length ? message.reply_to : null,
      last_event: "delivered",
      scheduled_at: message.scheduled_at,
      tags: message.tags,
      topic_id: message.topic_id,
    }, meta.headers);
  }
  return { recipients: message?.to.map(normalizeAddress), note: refused?.source ?? null };
}

function checkAuth(req: IncomingMessage, ctx: CatcherContext): { error: Reply } | { apiKey: string } {
  const token = bearerToken(req);
  if (!token) return { error: fail(401, "missing_api_key", MESSAGES.missingApiKey) };
  if (ctx.apiKey !== null && !sameSecret(token, ctx.apiKey)) return { error: fail(403, "invalid_api_key", MESSAGES.invalidApiKey) };
  return { apiKey: token };
}

/**
 * Counts the request against the rate limit (when one is set) and puts the `ratelimit-*` headers
 * on its answer. Returns the 429 to answer when the limit is exceeded.
 */
function applyRateLimit(ctx: CatcherContext, apiKey: string, meta: RequestMeta): Reply | null {
  if (!ctx.limiter) return null;
  const decision = ctx.limiter.take(apiKey);
  meta.headers = rateLimitHeaders(decision);
  if (decision.allowed) return null;
  return fail(429, "rate_limit_exceeded", rateLimitMessage(decision.limit, decision.windowSeconds), { source: RATE_LIMIT_SOURCE });
}

/** The recipients of a request refused before validation, for the request log; best effort. */
async function recipientsOfRefused(req: IncomingMessage, ctx: CatcherContext): Promise<string[]> {
  try {
    const raw = await readBody(req, ctx.maxBodyBytes);
    const json: unknown = JSON.parse(raw.toString("utf8"));
    return unique((Array.isArray(json) ? json : [json]).flatMap(looseRecipients));
  } catch (error) {
    if (error instanceof BodyTooLargeError) discardRest(req, ctx.maxBodyBytes * 4);
    return [];
  }
}

type Parsed =
  | { emails: { email: EmailInput; index: number }[]; invalid: { index: number; message: string; recipients: string[] }[] }
  | { error: string; recipients: string[] };

function parseSingle(json: unknown): Parsed {
  const result = emailSchema.safeParse(json);
  if (!result.success) return { error: describeIssue(result.error, json), recipients: looseRecipients(json) };
  return { emails: [{ email: result.data, index: 0 }], invalid: [] };
}

/**
 * Resend's batch validation modes (https://resend.com/docs/dashboard/emails/batch-validation-modes):
 * strict (the default) refuses the whole batch with the first invalid email's error; permissive
 * creates the valid emails and lists each invalid one as `{ index, message }`, an email past the
 * 100th included.
 */
function parseBatch(json: unknown, permissive: boolean): Parsed {
  if (!Array.isArray(json)) return { error: "The `request.body` field must be an `array`.", recipients: looseRecipients(json) };
  if (json.length === 0) return { error: `The \`request.body\` field must contain between 1 and ${MAX_BATCH} emails.`, recipients: [] };
  if (json.length > MAX_BATCH && !permissive) {
    return {
      error: `The \`request.body\` field must contain between 1 and ${MAX_BATCH} emails; it contains ${json.length}.`,
      recipients: unique(json.flatMap(looseRecipients)),
    };
  }
  const emails: { email: EmailInput; index: number }[] = [];
  const invalid: { index: number; message: string; recipients: string[] }[] = [];
  for (const [index, item] of json.entries()) {
    if (index >= MAX_BATCH) {
      invalid.push({ index, message: TOO_MANY_IN_BATCH, recipients: looseRecipients(item) });
      continue;
    }
    const result = batchEmailSchema.safeParse(item);
    if (result.success) {
      emails.push({ email: result.data, index });
      continue;
    }
    const message = describeIssue(result.error, item);
    if (!permissive) return { error: `Email at index ${index}: ${message}`, recipients: unique(json.flatMap(looseRecipients)) };
    invalid.push({ index, message, recipients: looseRecipients(item) });
  }
  return { emails, invalid };
}

const TOO_MANY_IN_BATCH = `The batch contains more than ${MAX_BATCH} emails; only the first ${MAX_BATCH} are processed.`;

function batchValidationMode(req: IncomingMessage): "strict" | "permissive" {
  return headerValue(req, "x-batch-validation")?.toLowerCase() === "permissive" ? "permissive" : "strict";
}

/** In permissive batches a rejected address fails only its own email; anything else fails the request. */
function isPerEmailFailure(decision: Decision): boolean {
  return decision.status === 400 || decision.status === 422;
}

function faultReply(decision: Decision, ctx: CatcherContext): Reply {
  const headers: Record<string, string> = {};
  if (decision.retryAfter !== null) headers["retry-after"] = String(decision.retryAfter);
  if (decision.status === 429) {
    // An injected 429 looks like Resend's: the configured limit (Resend's default 2/s when none is
    // set), nothing remaining, and a reset as far away as its retry-after.
    const limit = ctx.limiter?.config.limit ?? 2;
    const windowSeconds = ctx.limiter?.config.windowSeconds ?? 1;
    headers["ratelimit-limit"] = String(limit);
    headers["ratelimit-policy"] = `${limit};w=${windowSeconds}`;
    headers["ratelimit-remaining"] = "0";
    headers["ratelimit-reset"] = String(decision.retryAfter ?? 1);
  }
  return fail(decision.status, decision.name ?? "application_error", decision.message ?? "Request failed.", {
    headers,
    source: decision.source,
  });
}

function toStored(
  email: EmailInput,
  meta: { createdAt: string; key: string | null; endpoint: Endpoint; batchIndex: number | null },
): StoredMessage {
  return {
    id: randomUUID(),
    object: "email",
    created_at: meta.createdAt,
    from: email.from,
    to: email.to,
    cc: email.cc ?? [],
    bcc: email.bcc ?? [],
    reply_to: email.reply_to ?? [],
    subject: email.subject ?? "",
    html: email.html ?? null,
    text: email.text ?? null,
    headers: email.headers ?? {},
    tags: email.tags ?? [],
    scheduled_at: email.scheduled_at ?? null,
    topic_id: email.topic_id ?? null,
    template: email.template ?? null,
    attachments: (email.attachments ?? []).map((a) => ({
      filename: typeof a.filename === "string" ? a.filename : null,
      content_type: a.content_type ?? null,
      content_id: a.content_id ?? null,
      path: a.path ?? null,
      size: typeof a.content === "string" ? Buffer.byteLength(a.content, "base64") : null,
    })),
    idempotency_key: meta.key,
    endpoint: meta.endpoint,
    batch_index: meta.batchIndex,
  };
}

function recipientsOf(email: EmailInput): string[] {
  return unique([...email.to, ...(email.cc ?? []), ...(email.bcc ?? [])].map(normalizeAddress));
}

/** Best-effort recipients of an invalid body, so the request log can still be filtered by address. */
function looseRecipients(json: unknown): string[] {
  if (json === null || typeof json !== "object") return [];
  const to = (json as { to?: unknown }).to;
  const list = Array.isArray(to) ? to : [to];
  return unique(list.filter((v): v is string => typeof v === "string").map(normalizeAddress));
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bodyField(body: unknown, field: "name" | "message"): string | null {
  if (body === null || typeof body !== "object" || "id" in body || "data" in body) return null;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === "string" ? value : null;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}
