// Who may talk to the engine, and whom the engine may call. Shares its host names with
// mail-catcher/src/guard.ts through @signup-jobs/host-names:
//
// - Host: a page on evil.example can point evil.example at 127.0.0.1 (DNS rebinding) and then talk
//   to the engine "same-origin". Its requests still say `Host: evil.example`, so only loopback
//   names, the bind address and `--public-host` names are answered (421 otherwise).
// - Content-Type: a page may POST `text/plain` or a form to any address without a CORS preflight.
//   Requiring `application/json` on the JSON endpoints makes the browser ask first, and the engine
//   never says yes (it sends no CORS headers). The SDK sends `application/json` on every one.
// - App hosts: `POST /v1/apps/sync` and `/fn/register` name a URL the engine will then call with
//   every step request; only loopback hosts and `--allow-app-host` ones (plus the `--app-url` ones)
//   are accepted, so the engine cannot be turned into a request forwarder.
import { hostName } from "@signup-jobs/host-names";

export { bearerToken, configuredName, HostList, hostName, isJsonContentType, isLoopbackBind, isLoopbackName, isLoopbackPeer } from "@signup-jobs/host-names";

/** The host name of an http(s) URL as `hostName` gives it, or null when it is not one. */
export function urlHostName(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return hostName(parsed.host);
}
