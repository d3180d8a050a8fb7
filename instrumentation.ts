// Runs once when the server starts (before the first request is handled): a missing or malformed
// variable stops it here, by name, instead of failing the first request that happens to read it.
export async function register() {
  const { loadServerEnv } = await import("./lib/env");
  loadServerEnv();
  // Rate limits need the client's socket address, which `next start` hides when a client sends
  // its own x-forwarded-for (lib/accounts/client-address.ts explains). NEXT_RUNTIME is Next's
  // build-time constant, not a setting: spelled out, it keeps node:http out of the edge bundle.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { installPeerStamp } = await import("./lib/accounts/peer-stamp");
    installPeerStamp();
  }
}
