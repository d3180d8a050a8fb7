import { spawn } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { Resend } from "resend";
import { describe, expect, it } from "vitest";
import { createMailCatcherClient, startMailCatcher } from "../index";
import { AUTH, email, raw, startTestCatcher, tempDir } from "./helpers";

/** A request with a Host header of our choosing (fetch always sends the URL's). */
function withHost(
  url: string,
  host: string,
  init: { method?: string; path?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: target.hostname, port: target.port, method: init.method ?? "GET", path: init.path ?? "/", headers: { ...init.headers, host } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("Host header (DNS rebinding)", () => {
  it("answers loopback names on any port and refuses every other name with 421 before doing anything", async () => {
    const { catcher } = await startTestCatcher();
    for (const host of ["localhost", "localhost:4010", "127.0.0.1:1", "127.1.2.3", "[::1]:80", "LOCALHOST.", `127.0.0.1:${catcher.port}`]) {
      expect((await withHost(catcher.url, host, { path: "/_catcher/health" })).status, host).toBe(200);
    }
    for (const host of ["evil.example", `evil.example:${catcher.port}`, "localhost.evil.example", "127.0.0.1.nip.io", "[::2]", "0.0.0.0"]) {
      const r = await withHost(catcher.url, host, { path: "/_catcher/health" });
      expect(r.status, host).toBe(421);
      expect(JSON.parse(r.body), host).toMatchObject({ statusCode: 421, name: "security_error" });
    }
    const message = JSON.parse((await withHost(catcher.url, "evil.example", { path: "/" })).body).message as string;
    expect(message).toContain('not to Host "evil.example"');
    expect(message).toContain("--public-host");

    // Sending through a rebound name stores nothing.
    const send = await withHost(catcher.url, "evil.example:4010", {
      method: "POST",
      path: "/emails",
      body: JSON.stringify(email("rebound@example.com")),
      headers: AUTH,
    });
    expect(send.status).toBe(421);
    expect(await catcher.messages()).toEqual([]);
    expect(catcher.counters().calls).toBe(0);
  });

  it("refuses an HTTP/1.0 request without Host", async () => {
    const { catcher } = await startTestCatcher();
    const socket = connect(catcher.port, "127.0.0.1");
    await once(socket, "connect");
    socket.end("GET /_catcher/health HTTP/1.0\r\n\r\n");
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    await once(socket, "close");
    expect(text).toMatch(/^HTTP\/1\.1 421 /);
  });

  it("also answers names given as publicHosts, and the address it is bound to", async () => {
    const { catcher } = await startTestCatcher({ publicHosts: ["Mail.Dev.Test", "10.0.0.7:4010"] });
    expect((await withHost(catcher.url, "mail.dev.test:4010", { path: "/_catcher/health" })).status).toBe(200);
    expect((await withHost(catcher.url, "10.0.0.7", { path: "/_catcher/health" })).status).toBe(200);
    expect((await withHost(catcher.url, "other.dev.test", { path: "/_catcher/health" })).status).toBe(421);
  });
});

describe("JSON content type", () => {
  it("answers 415 to text/plain, forms and missing content types on POST/PUT, Resend routes and /_catcher alike", async () => {
    const { catcher } = await startTestCatcher();
    const body = JSON.stringify(email("csrf@example.com"));
    for (const contentType of ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
      const headers: Record<string, string> = { authorization: "Bearer re_test_key" };
      if (contentType) headers["content-type"] = contentType;
      const send = await raw(catcher, "/emails", { body, headers });
      expect(send.status, contentType).toBe(415);
      expect(send.json, contentType).toMatchObject({ statusCode: 415, name: "validation_error" });
      expect((await raw(catcher, "/emails/batch", { body: `[${body}]`, headers })).status, contentType).toBe(415);
      expect((await raw(catcher, "/_catcher/reset", { headers })).status, contentType).toBe(415);
      expect((await raw(catcher, "/_catcher/faults", { method: "PUT", body: "[]", headers })).status, contentType).toBe(415);
    }
    expect((await raw(catcher, "/emails", { body, headers: { authorization: "Bearer x", "content-type": "text/plain" } })).json).toMatchObject({
      message: "The request body must be JSON sent with `Content-Type: application/json`, not `text/plain`.",
    });
    expect(await catcher.messages()).toEqual([]);

    // application/json, with parameters, in any case, is fine; reads and deletes need none.
    const ok = await raw(catcher, "/emails", { body, headers: { authorization: "Bearer x", "content-type": "Application/JSON; charset=utf-8" } });
    expect(ok.status).toBe(200);
    expect((await raw(catcher, "/_catcher/requests", { method: "DELETE" })).status).toBe(200);
    expect((await raw(catcher, "/_catcher/messages", { method: "GET" })).status).toBe(200);
  });

  it("never grants a CORS preflight, so a page cannot send JSON, PUT or DELETE to it; a rebound DELETE gets 421", async () => {
    const { catcher } = await startTestCatcher();
    await raw(catcher, "/emails", { body: JSON.stringify(email("kept@example.com")), headers: { ...AUTH, "content-type": "application/json" } });
    for (const [pathname, method] of [["/emails", "POST"], ["/emails/batch", "POST"], ["/_catcher/reset", "POST"], ["/_catcher/faults", "PUT"], ["/_catcher/requests", "DELETE"], ["/_catcher/messages", "DELETE"]] as const) {
      const preflight = await fetch(`${catcher.url}${pathname}`, {
        method: "OPTIONS",
        headers: { origin: "http://evil.example", "access-control-request-method": method, "access-control-request-headers": "content-type, authorization" },
      });
      expect(preflight.headers.get("access-control-allow-origin"), `${method} ${pathname}`).toBeNull();
      expect(preflight.headers.get("access-control-allow-methods"), `${method} ${pathname}`).toBeNull();
      expect(preflight.headers.get("access-control-allow-headers"), `${method} ${pathname}`).toBeNull();
      const rebound = await withHost(catcher.url, "evil.example", { method, path: pathname, headers: { ...AUTH, "content-type": "application/json" }, body: method === "DELETE" ? undefined : "{}" });
      expect(rebound.status, `${method} ${pathname}`).toBe(421);
    }
    expect(await catcher.messages()).toHaveLength(1);
  });
});

describe("token (--token)", () => {
  it("refuses to bind off loopback without a token", async () => {
    const dataDir = await tempDir();
    for (const host of ["0.0.0.0", "::"]) {
      await expect(startMailCatcher({ port: 0, host, dataDir, log: false })).rejects.toThrow(/refusing to listen on .* without a token/);
    }
    await expect(startMailCatcher({ port: 0, dataDir, log: false, token: "a", apiKey: "b" })).rejects.toThrow(/differ/);
  });

  it("binds 0.0.0.0 with a token, and then wants it as the API key, on /_catcher, and once on the inbox", async () => {
    const token = "s3cret-token";
    const { catcher } = await startTestCatcher({ host: "0.0.0.0", token });
    expect(catcher.url).toBe(`http://127.0.0.1:${catcher.port}`);

    // The Resend routes: the token is the API key.
    const wrongKey = await new Resend("re_test_key", { baseUrl: catcher.url }).emails.send(email("t@example.com"));
    expect(wrongKey.error).toMatchObject({ statusCode: 403, name: "invalid_api_key" });
    const sent = await new Resend(token, { baseUrl: catcher.url }).emails.send(email("t@example.com"));
    expect(sent.error).toBeNull();

    // /_catcher: bearer token (health stays open for readiness probes).
    expect((await raw(catcher, "/_catcher/health", { method: "GET" })).status).toBe(200);
    expect((await raw(catcher, "/_catcher/messages", { method: "GET" })).json).toMatchObject({ statusCode: 401, name: "missing_api_key" });
    expect((await raw(catcher, "/_catcher/messages", { method: "GET", headers: { authorization: "Bearer nope" } })).status).toBe(403);
    expect((await raw(catcher, "/_catcher/reset", { headers: { "content-type": "application/json" } })).status).toBe(401);
    await expect(createMailCatcherClient(catcher.url).messages()).rejects.toThrow(/401/);
    const client = createMailCatcherClient(catcher.url, { token });
    expect(await client.messages()).toHaveLength(1);

    // The inbox: a form asks for it; ?token= once sets a cookie and drops the token from the URL.
    const asked = await raw(catcher, "/", { method: "GET" });
    expect(asked.status).toBe(401);
    expect(asked.text).toContain('<label for="token">Token</label>');
    expect(asked.text).not.toContain("t@example.com");
    expect((await raw(catcher, "/?token=wrong", { method: "GET" })).status).toBe(403);
    const opened = await fetch(`${catcher.url}/?to=t%40example.com&token=${token}`, { redirect: "manual" });
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/?to=t%40example.com");
    const cookie = opened.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(new RegExp(`^mail_catcher_token_${catcher.port}=s3cret-token; Path=/; HttpOnly; SameSite=Strict$`));
    const withCookie = { cookie: cookie.split(";")[0] ?? "" };
    const inbox = await raw(catcher, "/?to=t%40example.com", { method: "GET", headers: withCookie });
    expect(inbox.status).toBe(200);
    expect(inbox.text).toContain("t@example.com");
    expect((await raw(catcher, `/messages/${sent.data?.id}`, { method: "GET", headers: withCookie })).status).toBe(200);
    expect((await raw(catcher, `/_catcher/messages/${sent.data?.id}`, { method: "GET", headers: withCookie })).status).toBe(200);
    // The cookie is not an API key.
    expect((await raw(catcher, "/emails", { body: JSON.stringify(email("c@example.com")), headers: { ...withCookie, "content-type": "application/json" } })).status).toBe(401);
  });

  it("keeps the token out of the log", async () => {
    const lines: string[] = [];
    const { catcher } = await startTestCatcher({ token: "hush", log: (line) => lines.push(line) });
    await fetch(`${catcher.url}/?token=hush`, { redirect: "manual" });
    await fetch(`${catcher.url}/?to=a&token=guess`, { redirect: "manual" });
    expect(lines.join("\n")).not.toMatch(/hush|guess/);
    expect(lines.some((l) => l.includes("/?token=…"))).toBe(true);
  });
});

describe("CLI flags", () => {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  const main = path.join(import.meta.dirname, "..", "main.ts");

  it("exits 2 when asked to listen off loopback without a token", async () => {
    const child = spawn(process.execPath, [tsx, main, "--host", "0.0.0.0", "--port", "0", "--data-dir", await tempDir()], {
      env: { ...process.env, MAIL_CATCHER_TOKEN: "" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain("--host 0.0.0.0 is off loopback");
    expect(stderr).toContain("--token");
  });

  it("starts with --rate-limit 2/s, --token and --public-host, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [
      tsx,
      main,
      "--port", "0",
      "--data-dir", await tempDir(),
      "--rate-limit", "2/s",
      "--token", "cli-token",
      "--public-host", "mail.dev.test,other.dev.test",
      "--quiet",
    ]);
    try {
      let stdout = "";
      child.stdout.setEncoding("utf8");
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: string) => {
          stdout += chunk;
          const found = /listening on (http:\/\/\S+) \(inbox: (\S+),/.exec(stdout);
          if (found?.[1] && stdout.includes("rate limit:")) resolve(found[1]);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${stdout}`)));
      });
      expect(stdout).toContain(`inbox: ${url}/?token=cli-token`);
      expect(stdout).toContain("rate limit: 2 requests per 1 s (team)");
      const resend = new Resend("cli-token", { baseUrl: url });
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await resend.emails.send(email(`cli-${i}@example.com`)));
      // A 1 s window may roll over between the calls on a busy machine; at least one is limited
      // unless it did, and every answer carries the limit.
      expect(results.every((r) => r.headers?.["ratelimit-limit"] === "2")).toBe(true);
      expect(results.filter((r) => r.error?.statusCode === 429).length).toBeLessThanOrEqual(1);
      expect((await withHost(url, "mail.dev.test:1", { path: "/_catcher/health" })).status).toBe(200);
      expect((await withHost(url, "nope.dev.test", { path: "/_catcher/health" })).status).toBe(421);
    } finally {
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
    }
  });
});
