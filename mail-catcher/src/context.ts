import type { AttemptLog } from "./attempts";
import type { CallCounters } from "./counters";
import type { FaultBook } from "./faults";
import type { HostPolicy } from "./guard";
import type { RateLimiter } from "./rate-limit";
import type { MessageStore } from "./store";

/** Everything a route handler needs; one per running catcher. */
export interface CatcherContext {
  store: MessageStore;
  faults: FaultBook;
  attempts: AttemptLog;
  /** Calls and 429s per Resend endpoint, for benches. */
  counters: CallCounters;
  /** Resend-like request rate limit on the Resend routes; null when off. */
  limiter: RateLimiter | null;
  latencyMs: number;
  /** When set, only this key is accepted (403 invalid_api_key otherwise); any non-empty key if not. */
  apiKey: string | null;
  /** Host names answered (loopback and `publicHosts`); others get 421. */
  hosts: HostPolicy;
  /** When set, the inbox and /_catcher need it too (bearer, or the cookie `?token=` sets). */
  token: string | null;
  /** Name of that cookie; per port, so catchers on one machine don't overwrite each other's. */
  cookieName: string;
  maxBodyBytes: number;
  /** Aborted when the catcher stops, so pending delays end at once. */
  signal: AbortSignal;
  now: () => number;
  /** Idempotency keys whose first request is still being processed. */
  inFlight: Set<string>;
}

/** What a handler tells the request logger beyond the status code. */
export interface RouteOutcome {
  recipients?: string[];
  note?: string | null;
}
