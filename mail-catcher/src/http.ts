import type { IncomingMessage, ServerResponse } from "node:http";

export class BodyTooLargeError extends Error {}

/**
 * Reads the whole body, refusing more than `limit` bytes. A declared Content-Length over the
 * limit is refused before reading anything.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * After an early answer (413) the client may still be uploading. Reading the rest keeps the
 * answer deliverable (a reset connection would hide it), up to a bound so nobody can make us read
 * forever; past it the socket is dropped.
 */
export function discardRest(req: IncomingMessage, bound: number): void {
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > bound) req.destroy();
  });
  req.on("error", () => {});
  req.resume();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(payload);
}

// The email HTML shown in the inbox comes from the app under test: keep scripts, plugins,
// forms and framing out even if the sandbox attribute were somehow lost.
const HTML_SECURITY_HEADERS = {
  "content-security-policy":
    "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "cache-control": "no-store",
    ...HTML_SECURITY_HEADERS,
  });
  res.end(html);
}

/** Resolves after `ms`, or at once when `signal` aborts (the server is stopping). */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
