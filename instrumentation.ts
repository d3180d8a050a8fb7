// Runs once when the server starts (before the first request is handled): a missing or malformed
// variable stops it here, by name, instead of failing the first request that happens to read it.
export async function register() {
  const { loadServerEnv, isNodeServerRuntime } = await import("./lib/env");
  loadServerEnv();
  // Rate limits need the client's socket address, which `next start` hides when a client sends
  // its own x-forwarded-for (lib/accounts/client-address.ts explains).
  if (isNodeServerRuntime()) {
    const { installPeerStamp } = await import("./lib/accounts/peer-stamp");
    installPeerStamp();
  }
}
