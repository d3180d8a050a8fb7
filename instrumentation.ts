// Runs once when the server starts: a missing or malformed variable stops it here, by name,
// instead of failing the first request that happens to read it.
export async function register() {
  const { loadServerEnv } = await import("./lib/env");
  loadServerEnv();
}
