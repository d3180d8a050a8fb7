import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { assertSameSite, AVATAR_UPLOAD_BODY_MAX, bodyRefusal, CROSS_SITE_MESSAGE, crossSiteReason, FORM_BODY_MAX, FORM_UNREADABLE_MESSAGE, formBodyRefusal, formPostRefusal, SIGN_UP_BODY_MAX } from "@/lib/request-guards";

const APP = "https://app.example";

describe("cross-site requests", () => {
  it.each([
    [{ "sec-fetch-site": "same-origin", origin: APP }, null],
    [{ "sec-fetch-site": "none" }, null], // typed in the address bar, a bookmark
    [{ origin: APP }, null], // a browser without Sec-Fetch-Site
    [{}, null], // not a browser (curl, a mail provider's one-click unsubscribe): no cookies to ride on
    [{ "sec-fetch-site": "cross-site", origin: "https://evil.example" }, "Sec-Fetch-Site is cross-site"],
    [{ "sec-fetch-site": "same-site", origin: "https://sub.app.example" }, "Sec-Fetch-Site is same-site"],
    [{ origin: "https://evil.example" }, "Origin https://evil.example is not this site"],
    [{ origin: "null" }, "Origin null is not this site"], // a sandboxed frame or a data: page
    [{ "sec-fetch-site": "same-origin", origin: "http://app.example" }, "Origin http://app.example is not this site"],
  ])("%j → %s", (headers, reason) => {
    expect(crossSiteReason(new Headers(headers), [APP])).toBe(reason);
  });

  it("accepts the origin the request was addressed to, and answers 403 otherwise", () => {
    const request = (origin: string) => new Request("http://127.0.0.1:3100/api/users", { method: "POST", headers: { host: "127.0.0.1:3100", origin } });
    expect(() => assertSameSite(request("http://127.0.0.1:3100"), "http://localhost:3100")).not.toThrow();
    expect(() => assertSameSite(request("http://localhost:3100"), "http://localhost:3100")).not.toThrow();
    const error = (() => {
      try {
        assertSameSite(request("https://evil.example"), "http://localhost:3100");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(403);
  });
});

describe("body caps", () => {
  const refusal = (method: string, path: string, headers: Record<string, string>) => bodyRefusal(method, path, new Headers(headers));

  it.each([
    // Server actions: sign-up carries an avatar; every other page's actions are small forms.
    ["POST", "/login", { "next-action": "abc", "content-length": String(FORM_BODY_MAX) }, null],
    ["POST", "/login", { "next-action": "abc", "content-length": String(12 * 1024 * 1024) }, 413],
    ["POST", "/verify-email", { "next-action": "abc", "content-length": "20000" }, 413],
    ["POST", "/admin/dead-letters", { "next-action": "abc", "content-length": "20000" }, 413],
    ["POST", "/signup", { "next-action": "abc", "content-length": String(5 * 1024 * 1024) }, null],
    ["POST", "/signup", { "next-action": "abc", "content-length": String(SIGN_UP_BODY_MAX + 1) }, 413],
    // Route handlers.
    ["POST", "/api/users", { "content-type": "application/json", "content-length": String(5 * 1024 * 1024) }, 413],
    ["POST", "/api/users", { "content-type": "application/json", "content-length": "300" }, null],
    ["POST", "/api/users", { "content-type": "multipart/form-data; boundary=x", "content-length": String(5 * 1024 * 1024) }, null],
    // The account page's new avatar: 5 MB, but the page's own actions stay small.
    ["POST", "/api/account/avatar", { "content-type": "multipart/form-data; boundary=x", "content-length": String(5 * 1024 * 1024) }, null],
    ["POST", "/api/account/avatar", { "content-type": "multipart/form-data; boundary=x", "content-length": String(AVATAR_UPLOAD_BODY_MAX + 1) }, 413],
    ["POST", "/account", { "next-action": "abc", "content-length": "20000" }, 413],
    ["POST", "/unsubscribe", { "content-type": "application/x-www-form-urlencoded", "content-length": "100000" }, 413],
    ["POST", "/unsubscribe", { "content-type": "application/x-www-form-urlencoded", "content-length": "200" }, null],
    // A body without a length is refused unread; no body at all is fine.
    ["POST", "/login", { "next-action": "abc", "transfer-encoding": "chunked" }, 411],
    ["POST", "/unsubscribe", { "transfer-encoding": "chunked" }, 411],
    ["POST", "/login", { "next-action": "abc" }, null],
    ["POST", "/login", { "next-action": "abc", "content-length": "-1" }, 411],
    // Reads and the executor's signed step calls are not capped here.
    ["GET", "/login", { "content-length": "99999999" }, null],
    ["POST", "/api/inngest", { "transfer-encoding": "chunked" }, null],
  ])("%s %s %j → %s", (method, path, headers, status) => {
    expect(refusal(method, path, headers)?.status ?? null).toBe(status);
  });

  it("says what the cap is", () => {
    expect(refusal("POST", "/login", { "next-action": "abc", "content-length": String(12 * 1024 * 1024) })?.message).toBe("This form can be at most 16 KB; this one is 12 MB.");
  });
});

// Found by `npm run abuse`: Next.js answered these form posts with a 500 while decoding them,
// before any code of ours ran. proxy.ts refuses them with a 4xx and a message.
describe("form posts to pages (server actions)", () => {
  const origins = ["http://localhost:3000"];
  const action = "7f73487c9e9986dc5b243eb4e71f91c9b2318684d9";
  const multipart = "multipart/form-data; boundary=----x";
  const headers = (h: Record<string, string>) => new Headers(h);

  it("refuses a cross-site or Origin: null post as 403, with the message", () => {
    for (const origin of ["https://evil.example", "null", "http://localhost:3000.evil.example"]) {
      expect(formPostRefusal("POST", "/login", headers({ origin, "next-action": action, "content-type": multipart }), origins)).toEqual({ status: 403, message: CROSS_SITE_MESSAGE });
    }
  });

  it("refuses an action id of the wrong shape (404) and an action not sent as multipart (415)", () => {
    expect(formPostRefusal("POST", "/login", headers({ "next-action": "x".repeat(90), "content-type": multipart }), origins)?.status).toBe(404);
    expect(formPostRefusal("POST", "/login", headers({ "next-action": action, "content-type": "application/x-www-form-urlencoded" }), origins)?.status).toBe(415);
    expect(formPostRefusal("POST", "/login", headers({ "next-action": action, "content-type": "multipart/form-data" }), origins)?.status).toBe(415);
    // An action that takes no arguments (log out) is posted by React as text/plain `[]`.
    expect(formPostRefusal("POST", "/account", headers({ "next-action": action, "content-type": "text/plain;charset=UTF-8" }), origins)).toBeNull();
  });

  it("lets a well-formed same-site action through, and leaves API routes to their handlers", () => {
    expect(formPostRefusal("POST", "/login", headers({ origin: origins[0]!, "next-action": action, "content-type": multipart }), origins)).toBeNull();
    expect(formPostRefusal("POST", "/api/users", headers({ origin: "https://evil.example" }), origins)).toBeNull();
    expect(formPostRefusal("POST", "/unsubscribe", headers({ origin: "https://evil.example" }), origins)).toBeNull();
    expect(formPostRefusal("POST", "/api/account/avatar", headers({ origin: "https://evil.example" }), origins)).toBeNull();
    expect(formPostRefusal("GET", "/login", headers({ origin: "https://evil.example" }), origins)).toBeNull();
  });

  it("treats a POST to any other path as a page's: one that matches nothing is decoded by Next as a form too", () => {
    expect(formPostRefusal("POST", "/api/users/%2e%2e/status", headers({ origin: "https://evil.example", "content-type": multipart }), origins)?.status).toBe(403);
    expect(formPostRefusal("POST", "/api/avatars/%2e%2e/x", headers({ "content-type": "multipart/form-data" }), origins)?.status).toBe(400);
  });

  it("takes an action's arguments as text/plain JSON (no parts), and refuses it as 400 when it is not JSON or names a part", async () => {
    const post = (text: string) => new Request("http://localhost:3000/account", { method: "POST", headers: { "next-action": action, "content-type": "text/plain;charset=UTF-8" }, body: text });
    expect(await formBodyRefusal(post("[]"), "/account")).toBeNull();
    expect(await formBodyRefusal(post("[{"), "/account")).toEqual({ status: 400, message: FORM_UNREADABLE_MESSAGE });
    expect(await formBodyRefusal(post('["$1"]'), "/account")).toEqual({ status: 400, message: FORM_UNREADABLE_MESSAGE });
  });

  it("refuses a multipart body cut short, or arguments that are not JSON, as 400", async () => {
    const body = "------x\r\ncontent-disposition: form-data; name=\"0\"\r\n\r\n[{\"ok\":false},\"$K1\"]\r\n------x--\r\n";
    const post = (text: string) => new Request("http://localhost:3000/login", { method: "POST", headers: { "next-action": action, "content-type": multipart }, body: text });
    expect(await formBodyRefusal(post(body), "/login")).toBeNull();
    expect(await formBodyRefusal(post(body.slice(0, 40)), "/login")).toEqual({ status: 400, message: FORM_UNREADABLE_MESSAGE });
    expect(await formBodyRefusal(post(body.replace('[{"ok":false},"$K1"]', "[{")), "/login")).toEqual({ status: 400, message: FORM_UNREADABLE_MESSAGE });
  });

  it("refuses action arguments that are missing or refer to parts that are not there (React would wait for them: a 500)", async () => {
    const post = (parts: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(parts)) form.append(k, v);
      return new Request("http://localhost:3000/login", { method: "POST", headers: { "next-action": action }, body: form });
    };
    expect(await formBodyRefusal(post({ "0": '[{"ok":false},"$K1"]', "1_email": "a@b.c" }), "/login")).toBeNull();
    expect(await formBodyRefusal(post({ "0": '["$@1"]', "1": '{"a":"$$escaped"}' }), "/login")).toBeNull();
    expect(await formBodyRefusal(post({ "1_email": "a@b.c" }), "/login")).toEqual({ status: 400, message: FORM_UNREADABLE_MESSAGE });
    expect(await formBodyRefusal(post({ "0": '[{"ok":false},"$K1","$@9"]' }), "/login")).toEqual({ status: 400, message: FORM_UNREADABLE_MESSAGE });
    expect(await formBodyRefusal(post({ "0": '["$a"]', "10": '["$a"]' }), "/login")).toEqual({ status: 400, message: FORM_UNREADABLE_MESSAGE });
  });
});
