import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { bodyRefusal, formBodyRefusal, formPostRefusal, sameSiteOrigins } from "@/lib/request-guards";
import { contentSecurityPolicy, newNonce, securityHeaders } from "@/lib/security-headers";

// Every request but Next's static files passes here. Three coarse jobs, each cheap:
// 1. A body over its route's cap (or without a length) is refused by its Content-Length before
//    anything reads it — server actions share Next's one bodySizeLimit, so this is where the
//    log-in, verification, account and admin actions get small caps of their own.
//    A form post to a page (server actions) that Next would fail to decode with a 500 — cross-site,
//    the wrong content type, a body cut short — is refused here with a 4xx and a message.
// 2. Security headers and a per-request CSP nonce (Next reads it from the request's CSP header).
// 3. No session cookie at all on /account or /admin → straight to login. The real checks (valid
//    session, role) happen where the data is read: in each page, action and route handler.
export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const https = env.APP_URL.startsWith("https:");
  const headers = securityHeaders({ https });

  const refusal = bodyRefusal(request.method, pathname, request.headers);
  if (refusal) {
    const code = refusal.status === 413 ? "payload_too_large" : "length_required";
    return NextResponse.json({ error: { code, message: refusal.message } }, { status: refusal.status, headers });
  }
  const formRefusal = formPostRefusal(request.method, pathname, request.headers, sameSiteOrigins(request, env.APP_URL)) ?? (await formBodyRefusal(request, pathname));
  if (formRefusal) {
    const code = ({ 400: "bad_request", 403: "forbidden", 404: "not_found", 415: "unsupported_media_type" } as const)[formRefusal.status];
    return NextResponse.json({ error: { code, message: formRefusal.message } }, { status: formRefusal.status, headers });
  }

  if ((pathname === "/account" || pathname.startsWith("/account/") || pathname === "/admin" || pathname.startsWith("/admin/")) && !request.cookies.has("session")) {
    const login = new URL("/login", request.url);
    login.searchParams.set("next", pathname);
    return NextResponse.redirect(login, { headers });
  }

  // The unsubscribe pages are whole documents rendered by their route, with their own stricter
  // policy (no scripts at all).
  const csp = pathname === "/unsubscribe" ? null : contentSecurityPolicy(newNonce(), { https, development: env.NODE_ENV === "development" });
  const requestHeaders = new Headers(request.headers);
  if (csp) requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  if (csp) response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  // Not Next's own static files and images (immutable, no cookies, no bodies).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
