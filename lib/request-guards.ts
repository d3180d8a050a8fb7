// Checks every request that changes something passes before its handler reads it: where it came
// from (no cross-site posts) and how big it may be. Plain module (no server-only): proxy.ts and
// the route handlers both use it.
import { AppError } from "@/lib/errors";

// --- Cross-site requests ------------------------------------------------------------------------

/**
 * Why a state-changing request must be refused as cross-site, or null to let it through. Browsers
 * say where a request comes from: `Sec-Fetch-Site` (all current ones) and `Origin` (every POST).
 * A request with neither is not from a browser page (curl, a mail provider's one-click
 * unsubscribe) and carries no victim's cookies, so there is nothing to forge. `allowedOrigins` are
 * this app's public origin (APP_URL) and the origin the request was addressed to (its Host).
 */
export function crossSiteReason(headers: Headers, allowedOrigins: string[]): string | null {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site is ${site}`;
  const origin = headers.get("origin");
  if (origin !== null && !allowedOrigins.includes(origin)) return `Origin ${origin} is not this site`;
  return null;
}

/** The origins a browser on this site sends: APP_URL's, and the one in the request's Host header. */
export function sameSiteOrigins(request: Request, appUrl: string): string[] {
  const origins = [new URL(appUrl).origin];
  const host = request.headers.get("host");
  if (host) {
    const proto = new URL(request.url).protocol;
    origins.push(`${proto}//${host}`);
  }
  return origins;
}

export const CROSS_SITE_MESSAGE = "This request came from another site, so it was refused.";

/** For state-changing route handlers: 403 for a cross-site request. */
export function assertSameSite(request: Request, appUrl: string): void {
  if (crossSiteReason(request.headers, sameSiteOrigins(request, appUrl))) throw new AppError("forbidden", CROSS_SITE_MESSAGE);
}

// --- Body sizes ----------------------------------------------------------------------------------

const KB = 1024;

/** The avatar's 5 MB plus the multipart envelope and the text fields. */
export const SIGN_UP_BODY_MAX = 5 * 1024 * KB + 256 * KB;
/** Text forms: log-in, verification, account and admin actions — a few fields of at most a few KB. */
export const FORM_BODY_MAX = 16 * KB;
export const JSON_SIGN_UP_BODY_MAX = 16 * KB;
/** "Choose another image" on the account page: the 5 MB file and the multipart envelope. */
export const AVATAR_UPLOAD_BODY_MAX = 5 * 1024 * KB + 64 * KB;
export const UNSUBSCRIBE_BODY_MAX = 8 * KB;
/** Any other POST to the app (the step requests to /api/inngest are signed and have their own). */
export const DEFAULT_BODY_MAX = 64 * KB;

export type BodyRule = { max: number; what: string };

const SIGN_UP_WHAT = "A sign-up (with an avatar of up to 5 MB)";

/**
 * The cap for a request's body, by path and kind, or null when there is none (reads, and the
 * executor's calls to /api/inngest). Server actions all share Next's one `bodySizeLimit`
 * (next.config.ts, sized for sign-up's avatar); this gives each page's actions its own.
 */
export function bodyRuleFor(method: string, pathname: string, headers: Headers): BodyRule | null {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return null;
  if (pathname === "/api/inngest") return null;
  if (headers.has("next-action")) {
    return pathname === "/signup" ? { max: SIGN_UP_BODY_MAX, what: SIGN_UP_WHAT } : { max: FORM_BODY_MAX, what: "This form" };
  }
  if (pathname === "/api/users") {
    const type = (headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    return type === "multipart/form-data" ? { max: SIGN_UP_BODY_MAX, what: SIGN_UP_WHAT } : { max: JSON_SIGN_UP_BODY_MAX, what: "A sign-up without an avatar" };
  }
  if (pathname === "/api/account/avatar") return { max: AVATAR_UPLOAD_BODY_MAX, what: "An avatar upload (an image of up to 5 MB)" };
  if (pathname === "/unsubscribe") return { max: UNSUBSCRIBE_BODY_MAX, what: "An unsubscribe request" };
  return { max: DEFAULT_BODY_MAX, what: "This request" };
}

const size = (bytes: number) => (bytes >= 1024 * KB ? `${(bytes / (1024 * KB)).toFixed(bytes % (1024 * KB) ? 2 : 0)} MB` : `${Math.round(bytes / KB)} KB`);

/**
 * 413 for a body over its cap, 411 for one without a length (chunked): a body is refused by its
 * declared length before any of it is read. Null when the request may go on.
 */
export function bodyRefusal(method: string, pathname: string, headers: Headers): { status: 411 | 413; message: string } | null {
  const rule = bodyRuleFor(method, pathname, headers);
  if (!rule) return null;
  const declared = headers.get("content-length");
  if (declared === null) {
    if (!headers.has("transfer-encoding")) return null; // no body at all
    return { status: 411, message: "Send the request with a Content-Length header." };
  }
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length < 0) return { status: 411, message: "The Content-Length header is not a number." };
  if (length > rule.max) return { status: 413, message: `${rule.what} can be at most ${size(rule.max)}; this one is ${size(length)}.` };
  return null;
}

/** Reads at most `limit` bytes; a body that announces or turns out to be bigger is refused unread. */
export async function readBodyLimited(request: Request, limit: number, tooLarge: () => AppError): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
