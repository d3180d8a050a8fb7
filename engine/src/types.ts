// Plain data shapes shared across the engine. This module imports nothing, so any module may
// depend on it without creating an import cycle.

/**
 * What a queue row asks for: `call` an HTTP request to the SDK (`step_id` = "step" for discovery or
 * a planned step's hash), `wake` the end of a sleep, `timeout` the end of a wait/invoke still open,
 * `deadline` a run-level timer (`step_id` = "start" | "finish", from `timeouts`), `flow` a
 * flow-control timer (debounce, batch timeout, throttle gate): it has no run (`run_id` is null).
 */
export type QueueKind = "call" | "wake" | "timeout" | "deadline" | "flow";

/** A row of the `queue` table as a worker holds it (claimed, with its lease token). */
export type QueueItem = {
  id: number;
  run_id: string;
  kind: QueueKind;
  step_id: string;
  attempt: number;
  lease_token: string;
  ckeys: string[];
  climits: number[];
  /** Completing it asks for a discovery at once (group.parallel race mode). */
  race: boolean;
};

/** An event as functions see it (and as it is stored in `events.payload`). */
export type EventPayload = {
  id: string;
  name: string;
  data: Record<string, unknown>;
  ts: number;
  user: Record<string, unknown>;
  v?: string;
  meta?: Record<string, unknown>;
};

/** One op of a 206 response (protocol §3.4). */
export type Op = {
  op: string;
  id: string;
  name?: string;
  displayName?: string;
  data?: unknown;
  error?: unknown;
  opts?: Record<string, unknown>;
  userland?: { id?: string };
};

export type SerializedError = { name: string; message: string; stack?: string; [k: string]: unknown };
