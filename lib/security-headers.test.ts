import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "@/lib/security-headers";

describe("security headers", () => {
  it("sends HSTS (two years, subdomains) and upgrades insecure requests when the app is served over https", () => {
    expect(securityHeaders({ https: true })["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    expect(contentSecurityPolicy("n0nce", { https: true, development: false })).toContain("upgrade-insecure-requests");
  });

  it("sends no HSTS over plain http (a local or loopback APP_URL), where it would pin the browser to https", () => {
    expect(securityHeaders({ https: false })).not.toHaveProperty("strict-transport-security");
    expect(contentSecurityPolicy("n0nce", { https: false, development: false })).not.toContain("upgrade-insecure-requests");
  });

  it("never frames, never sniffs, and lets scripts run only with the response's nonce (eval only in development)", () => {
    expect(securityHeaders({ https: true })).toMatchObject({ "x-frame-options": "DENY", "x-content-type-options": "nosniff" });
    const csp = contentSecurityPolicy("n0nce", { https: true, development: false });
    expect(csp).toContain("script-src 'self' 'nonce-n0nce' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(contentSecurityPolicy("n0nce", { https: false, development: true })).toContain("'unsafe-eval'");
  });
});
