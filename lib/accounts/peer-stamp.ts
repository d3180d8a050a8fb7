// Installed once per server process by instrumentation.ts. Every HTTP request this process
// receives gets the socket's address appended to `x-forwarded-for` (what a reverse proxy does,
// and what `next start` leaves undone when a client sends the header itself), plus a per-process
// secret in PEER_STAMP_HEADER so lib/accounts/client-ip.ts can tell a stamped request from one
// that arrived before the stamp existed. A client's own value of that header is overwritten.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { PEER_STAMP_HEADER } from "@/lib/accounts/client-address";

const KEY = Symbol.for("signup-jobs.peer-stamp");
type Holder = { [KEY]?: { secret: string } };

/** The secret stamped requests carry in this process, or undefined when the stamp is not installed. */
export function peerStampSecret(): string | undefined {
  return (globalThis as Holder)[KEY]?.secret;
}

export function stampRequest(req: http.IncomingMessage, secret: string): void {
  const socket = req.socket?.remoteAddress ?? "unknown";
  const sent = req.headers["x-forwarded-for"];
  const chain = Array.isArray(sent) ? sent.join(", ") : sent;
  req.headers["x-forwarded-for"] = chain ? `${chain}, ${socket}` : socket;
  req.headers[PEER_STAMP_HEADER] = secret;
}

/**
 * Wraps `emit("request")` of every http.Server in this process. `next start` creates its server
 * before the app's code runs and offers no hook on it, so the prototype is the one place to stand.
 * Idempotent.
 */
export function installPeerStamp(): void {
  const holder = globalThis as Holder;
  if (holder[KEY]) return;
  const secret = randomBytes(24).toString("base64url");
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function stampedEmit(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") stampRequest(args[0] as http.IncomingMessage, secret);
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof emit;
  holder[KEY] = { secret };
}
