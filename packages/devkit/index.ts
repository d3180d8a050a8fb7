export { DevSetupError, exitOnSetupError, runMain } from "./src/errors";
export { startEmbeddedPostgres, type EmbeddedServer, type EmbeddedPostgresOptions } from "./src/postgres";
export { assertPortsFree, freePort, isPortFree, portOwner, recordStack, type StackPorts } from "./src/ports";
export { resolveChromium, type ResolvedBrowser } from "./src/browser";
