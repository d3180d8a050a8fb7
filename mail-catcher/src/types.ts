export interface StoredAttachment {
  filename: string | null;
  content_type: string | null;
  content_id: string | null;
  path: string | null;
  /** Decoded size in bytes; the content itself is not kept (see README, "Storage"). */
  size: number | null;
}

/** One accepted email as stored and as returned by the JSON API. */
export interface StoredMessage {
  id: string;
  object: "email";
  created_at: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  reply_to: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  tags: { name: string; value: string }[];
  scheduled_at: string | null;
  topic_id: string | null;
  template: { id: string; variables?: Record<string, unknown> } | null;
  attachments: StoredAttachment[];
  idempotency_key: string | null;
  /** `/emails` or `/emails/batch`, and the position inside a batch. */
  endpoint: "/emails" | "/emails/batch";
  batch_index: number | null;
}

/** One request to the sending API, kept in memory for `GET /_catcher/requests`. */
export interface Attempt {
  seq: number;
  at: string;
  method: string;
  path: string;
  status: number;
  /** Resend error `name` when the request failed. */
  error: string | null;
  message: string | null;
  /** Bare recipient addresses (to, cc and bcc of every email in the request). */
  recipients: string[];
  idempotency_key: string | null;
  message_ids: string[];
  /** What decided a fault or a replay: `builtin:bounce503x2`, `rule:<id>`, `idempotent-replay`… */
  source: string | null;
  duration_ms: number;
}
