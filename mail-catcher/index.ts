// Programmatic API of the local Resend-compatible mail catcher (see mail-catcher/README.md).
export { startMailCatcher, DEFAULT_MAX_BODY_BYTES, type MailCatcher, type StartMailCatcherOptions } from "./src/server";
export { createMailCatcherClient, type MailCatcherClient, type MailCatcherClientOptions } from "./src/client";
export type { FaultRule, FaultRuleInput } from "./src/faults";
export type { ProviderCounters, EndpointCounters, ProviderEndpoint } from "./src/counters";
export { parseRateLimit, type RateLimitOption, type RateLimitScope } from "./src/rate-limit";
export type { Attempt, StoredMessage, StoredAttachment } from "./src/types";
export type { MessageFilter } from "./src/store";
