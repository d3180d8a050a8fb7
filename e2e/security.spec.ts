// The abuse surface against the production server (`next start` behind the stack's settings):
// open redirects, spoofed client addresses, body caps, cross-site posts, security headers.
import { E2E } from "./config";
import { expect, test } from "./fixtures";
import { LogInPage } from "./pages/log-in-page";

const app = `http://127.0.0.1:${E2E.appPort}`;

test("a logged-in visit to /login?next=/%09/evil.example stays on this site", async ({ context, member, signIn }) => {
  await signIn(context, member);
  for (const next of ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "/.//evil.example", "https://evil.example", "/%0a/evil.example"]) {
    const response = await context.request.get(`/login?next=${next}`, { maxRedirects: 0 });
    expect([next, response.status()]).toEqual([next, 307]);
    const location = response.headers()["location"]!;
    expect(new URL(location, app).origin, `${next} → ${location}`).toBe(app);
    expect(location, next).not.toMatch(/^\/[\s\\/]|^\/\/|[\t\n\r]/);
  }
  const fine = await context.request.get("/login?next=/account%3Ftab%3D1", { maxRedirects: 0 });
  expect(fine.headers()["location"]).toBe("/account?tab=1");
});

test("the log-in limit holds when every attempt claims a new x-forwarded-for", async ({ page, member, clientAddress }) => {
  const logIn = new LogInPage(page);
  await logIn.goto();
  // Each attempt puts a fresh address in front of what the trusted proxy appends: the app must
  // keep counting the client the proxy saw (and the socket it was given).
  for (let i = 0; i < 5; i++) {
    await page.setExtraHTTPHeaders({ "x-forwarded-for": `203.0.113.${i + 1}, ${clientAddress}` });
    await logIn.logIn(member.email, `wrong-password-${i}`);
    await expect(logIn.alert).toHaveText("Email or password is incorrect.");
  }
  await page.setExtraHTTPHeaders({ "x-forwarded-for": `198.51.100.77, ${clientAddress}` });
  await logIn.logIn(member.email, member.password);
  await expect(logIn.alert).toHaveText(/^Too many login attempts\. Try again in 15 minutes\.$/);
});

test.describe("body caps", () => {
  test("a log-in action post over 16 KB is 413, one without a length is 411, before anything reads it", async ({ page, clientAddress }) => {
    // A real action id from the log-in page, so the post would otherwise reach the action.
    await page.goto("/login");
    let actionId: string | undefined;
    page.on("request", (request) => {
      actionId ??= request.headers()["next-action"];
    });
    await new LogInPage(page).logIn("nobody@example.com", "x");
    await expect.poll(() => actionId).toBeTruthy();

    const big = await page.request.post("/login", {
      headers: { "next-action": actionId!, "content-type": "text/plain;charset=UTF-8" },
      data: `["${"x".repeat(200 * 1024)}"]`,
    });
    expect(big.status()).toBe(413);
    expect(await big.json()).toEqual({ error: { code: "payload_too_large", message: "This form can be at most 16 KB; this one is 200 KB." } });

    // A streamed body (Transfer-Encoding: chunked) announces no length.
    const chunked = await fetch(`${app}/login`, {
      method: "POST",
      headers: { "next-action": actionId!, "content-type": "text/plain;charset=UTF-8", "x-forwarded-for": clientAddress },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('["x"]'));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });

  test("/unsubscribe and a JSON sign-up refuse big bodies with 413", async ({ request }) => {
    const unsubscribe = await request.post("/unsubscribe", { form: { token: "x".repeat(20 * 1024) } });
    expect(unsubscribe.status()).toBe(413);
    const signUp = await request.post("/api/users", { data: { name: "Big", email: "big@example.com", password: "long enough", bio: "x".repeat(100 * 1024) } });
    expect(signUp.status()).toBe(413);
    expect(((await signUp.json()) as { error: { message: string } }).error.message).toMatch(/at most 16 KB/);
  });
});

test("a cross-site form post to /api/users is refused and leaves nothing behind", async ({ page, db }) => {
  const email = `e2e-csrf-${Date.now()}@example.com`;
  // A page that is not this site posts the sign-up form, as a hostile page would in a victim's browser.
  await page.setContent(`<form method="post" action="${app}/api/users" enctype="multipart/form-data">
    <input name="name" value="Forged"><input name="email" value="${email}"><input name="password" value="forged password">
    <button>Go</button></form>`);
  const [response] = await Promise.all([page.waitForResponse(`${app}/api/users`), page.getByRole("button", { name: "Go" }).click()]);
  expect(response.status()).toBe(403);
  expect((await db.query("select 1 from users where email = $1", [email])).rowCount).toBe(0);
  expect((await page.context().cookies(app)).map((c) => c.name)).not.toContain("pending_sign_up");

  const fromAnotherSite = await page.request.post(`${app}/api/users`, {
    multipart: { name: "Forged", email, password: "forged password" },
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
  });
  expect(fromAnotherSite.status()).toBe(403);
  expect(await fromAnotherSite.json()).toEqual({ error: { code: "forbidden", message: "This request came from another site, so it was refused." } });
  expect((await db.query("select 1 from users where email = $1", [email])).rowCount).toBe(0);
});

test("every page carries the security headers and a nonce-based CSP", async ({ request }) => {
  for (const path of ["/", "/login", "/signup", "/signup/check-inbox", "/verify-email?token=x"]) {
    const response = await request.get(path);
    const headers = response.headers();
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("same-origin");
    expect(headers["x-frame-options"], path).toBe("DENY");
    const csp = headers["content-security-policy"] ?? "";
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp, path).not.toContain("unsafe-eval");
    // The nonce is on Next's own scripts, and differs per response.
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(await response.text(), path).toContain(`nonce="${nonce}"`);
    // http here: no HSTS (it is sent when APP_URL is https).
    expect(headers["strict-transport-security"], path).toBeUndefined();
  }
});
