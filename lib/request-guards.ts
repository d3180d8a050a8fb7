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

/** A multipart/form-data body read as `readBodyLimited` reads it, then parsed; one that does not parse is a 400. */
export async function readFormLimited(request: Request, limit: number, tooLarge: () => AppError): Promise<FormData> {
  const body = await readBodyLimited(request, limit, tooLarge);
  try {
    return await new Response(new Uint8Array(body), { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData();
  } catch {
    throw new AppError("bad_request", "The multipart body could not be read.");
  }
}

// --- Form posts and server actions ---------------------------------------------------------------

/**
 * The route handlers that take a POST body themselves (each checks its origin and reads its own
 * capped body, so the proxy does not parse it first); every other POST is a page's.
 */
const POST_ROUTES = new Set(["/api/users", "/api/account/avatar", "/api/inngest", "/unsubscribe"]);

/**
 * Where a POST is a form post to a page (a server action, or a form without JavaScript) — or to a
 * path that matches nothing, which Next also decodes as one before it renders "not found" (a
 * `/api/x/%2e%2e/y` normalises to such a path). The abuse suite found both.
 */
function isPagePost(method: string, pathname: string, headers: Headers): boolean {
  if (method !== "POST") return false;
  if (headers.has("next-action")) return true;
  return !POST_ROUTES.has(pathname);
}

const ACTION_ID = /^[0-9a-f]{40,42}$/;
export const FORM_UNREADABLE_MESSAGE = "This form could not be read: it was cut short or malformed. Reload the page and try again.";

/**
 * Refuses form posts to pages that Next.js would otherwise answer with a 500 while decoding them
 * before any code of ours runs (found by `npm run abuse`): a cross-site or `Origin: null` post
 * ("Invalid Server Actions request"), a server-action id of the wrong shape, a body that is not
 * multipart/form-data with a boundary. A form with a body that cannot be parsed is refused by
 * `formBodyRefusal` below. Null when the request may go on.
 */
export function formPostRefusal(method: string, pathname: string, headers: Headers, allowedOrigins: string[]): { status: 400 | 403 | 404 | 415; message: string } | null {
  if (!isPagePost(method, pathname, headers)) return null;
  if (crossSiteReason(headers, allowedOrigins)) return { status: 403, message: CROSS_SITE_MESSAGE };
  const action = headers.get("next-action");
  if (action !== null && !ACTION_ID.test(action)) return { status: 404, message: "This form is out of date. Reload the page and try again." };
  const type = headers.get("content-type") ?? "";
  const multipart = /^multipart\/form-data\s*;.*\bboundary=[^;\s]+/i.test(type);
  // React sends an action's arguments as text/plain JSON when they need no parts (an action that
  // takes none, like logging out, posts `[]`), and as multipart/form-data otherwise.
  const plain = /^text\/plain\s*(;|$)/i.test(type);
  if (action !== null && !multipart && !plain) return { status: 415, message: "Send this form as multipart/form-data." };
  if (action === null && /^multipart\/form-data/i.test(type) && !multipart) return { status: 400, message: FORM_UNREADABLE_MESSAGE };
  return null;
}

/**
 * For a form post that passed `formPostRefusal`: a multipart or urlencoded body must parse as a
 * form, and a server action's encoded arguments must be whole — JSON, with every part they refer
 * to present (React's decoder otherwise waits for the missing part and fails the request with
 * "Connection closed."). Bodies are capped by `bodyRefusal` first, so reading a copy is cheap. A
 * truncated or malformed body is a 400 here instead of a 500 from Next's decoder.
 */
export async function formBodyRefusal(request: Request, pathname: string): Promise<{ status: 400; message: string } | null> {
  if (!isPagePost(request.method, pathname, request.headers)) return null;
  const type = request.headers.get("content-type") ?? "";
  const refused = { status: 400 as const, message: FORM_UNREADABLE_MESSAGE };
  if (request.headers.has("next-action") && /^text\/plain\s*(;|$)/i.test(type)) {
    // Arguments in one JSON text, with no parts to refer to.
    const form = new FormData();
    form.set("0", await request.clone().text());
    return wholeReply(form, "", "0") ? null : refused;
  }
  if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) return null;
  let form: FormData;
  try {
    form = await request.clone().formData();
  } catch {
    return refused;
  }
  // A call from the page's JavaScript: the arguments are part "0". A form posted without
  // JavaScript names its action in `$ACTION_REF_<n>`, its arguments under the `$ACTION_<n>:` prefix.
  if (request.headers.has("next-action")) return wholeReply(form, "", "0") ? null : refused;
  for (const key of form.keys()) {
    const ref = /^\$ACTION_REF_(\d+)$/.exec(key);
    if (ref && !wholeReply(form, `$ACTION_${ref[1]}:`, "0")) return refused;
  }
  return null;
}

// A reference to another part of an encoded reply: "$@1" (a promise), "$Q2" (a map), "$W3" (a
// set), "$B4" (a blob), "$5" (a model)… with the part's id in hex. "$K1" names a FormData prefix
// (never missing) and "$$…" is an escaped string; neither needs a part.
const PART_REFERENCE = /^\$([@QWBFhTRrXxi]?)([0-9a-f]{1,8})$/;

function wholeReply(form: FormData, prefix: string, id: string, depth = 0): boolean {
  const part = form.get(`${prefix}${id}`);
  if (part === null) return false;
  if (typeof part !== "string") return true; // a file part
  let value: unknown;
  try {
    value = JSON.parse(part);
  } catch {
    return false;
  }
  const strings: string[] = [];
  const walk = (v: unknown, level: number) => {
    if (level > 64) throw new Error("too deep");
    if (typeof v === "string") strings.push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, level + 1));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => walk(x, level + 1));
  };
  try {
    walk(value, 0);
  } catch {
    return false;
  }
  for (const s of strings) {
    const reference = PART_REFERENCE.exec(s);
    if (!reference) continue;
    const target = String(parseInt(reference[2]!, 16));
    if (target === id || depth > 8) return false;
    if (reference[1] === "B" ? !form.has(`${prefix}${target}`) : !wholeReply(form, prefix, target, depth + 1)) return false;
  }
  return true;
}
