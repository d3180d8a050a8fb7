// The headers every page and response carries (set by proxy.ts, which runs for every request but
// Next's static files). Plain module (no server-only): proxy.ts and the tests use it.

/**
 * The Content-Security-Policy for this request. Scripts run only with this response's nonce —
 * Next reads it from the request's CSP header and puts it on its own <script> tags, including the
 * inline RSC payload (`self.__next_f.push`) — and whatever those load ('strict-dynamic'), so every
 * page is rendered per request (they already are: the layout reads the session cookie).
 * Stylesheets: our own files and nonce'd <style>; `style` attributes are allowed (no script can
 * run from one, and React renders a few, e.g. a progress bar's width).
 */
export function contentSecurityPolicy(nonce: string, options: { https: boolean; development: boolean }): string {
  const directives = [
    "default-src 'self'",
    // React's development build evaluates code for its dev tools; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${options.development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The rest: no framing, no sniffing, no cross-origin referrers; HSTS when the app is served over https. */
export function securityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    ...(options.https ? { "strict-transport-security": "max-age=63072000; includeSubDomains" } : {}),
  };
}
