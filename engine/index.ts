// Programmatic API of the local Inngest-protocol engine (see engine/README.md).
export { startEngine, type Engine, type StartEngineOptions } from "./src/engine";
export { backoffMs, retryAfterMs, tableMs } from "./src/backoff";
export { compile as compileExpression, CelError } from "./src/cel";
export type { SyncResult } from "./src/sync";
export { SyncError } from "./src/functions";
