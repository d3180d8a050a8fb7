// Who may talk to the engine and whom it calls (src/auth.ts, src/host-check.ts), in dev mode: only
// Host names of this machine (DNS rebinding), JSON content types on the JSON endpoints (no
// `text/plain` form posts from a page), no binding off loopback without keys, the UI only for
// peers on this machine, and syncs only of apps on allowed hosts.
import { spawn } from "node:child_process";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import { AuthConfigError } from "../src/auth";
import { hostName, isLoopbackBind, isLoopbackPeer } from "../src/host-check";
import { createTestDatabase, fixtureClient, getJson, sendEvents, startFixtureApp, startTestEngine, waitFor, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;
const dbs: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
const engines: Engine[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { publicHosts: ["engine.test"], allowAppHosts: ["app.internal"] });
  const inngest = fixtureClient(engine.url, "hosts");
  app = await startFixtureApp(inngest, [inngest.createFunction({ id: "x", triggers: [{ event: "hosts/x" }] }, async () => "x")]);
});

afterAll(async () => {
  for (const e of [engine, ...engines]) await e?.stop();
  await app?.close();
  await db?.drop();
  for (const d of dbs) await d.drop();
});

/** A raw request, so that Host can be anything (fetch sets it from the URL). */
function raw(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const count = async (name: string) => (await getJson<{ data: unknown[] }>(`${engine.url}/v1/events?name=${name}&limit=100`)).body.data.length;

describe("Host", () => {
  test("a foreign Host (DNS rebinding) gets 421 on every endpoint and sends nothing; loopback names and --public-host are answered", async () => {
    const port = new URL(engine.url).port;
    const event = JSON.stringify([{ name: "hosts/rebind" }]);
    for (const host of ["evil.example", `evil.example:${port}`, "127.0.0.1.evil.example", "0.0.0.0", "192.168.1.10", "localhost:notaport"]) {
      const sent = await raw("POST", `${engine.url}/e/k`, { host, "content-type": "application/json" }, event);
      expect(sent.status, host).toBe(421);
      expect((await raw("GET", `${engine.url}/v1/status`, { host })).status, host).toBe(421);
      expect((await raw("GET", `${engine.url}/runs`, { host, accept: "text/html" })).status, host).toBe(421);
      expect((await raw("GET", `${engine.url}/health`, { host })).status, host).toBe(421);
    }
    expect(JSON.parse((await raw("GET", `${engine.url}/v1/status`, { host: "evil.example" })).body).error).toMatch(/localhost, 127\.0\.0\.1, \[::1\], engine\.test/);
    expect(await count("hosts/rebind")).toBe(0);
    for (const host of ["localhost", `localhost:${port}`, `127.0.0.1:${port}`, "127.1.2.3", `[::1]:${port}`, "LOCALHOST.", "engine.test", `engine.test:${port}`]) {
      expect((await raw("POST", `${engine.url}/e/k`, { host, "content-type": "application/json" }, event)).status, host).toBe(200);
    }
    expect(await count("hosts/rebind")).toBe(8);
  });

  test("helpers: Host names, loopback binds and peers", () => {
    expect(hostName("Example.COM.:80")).toBe("example.com");
    expect(hostName("[::1]:8288")).toBe("::1");
    expect(hostName("a:b:c")).toBe("a:b:c");
    expect(hostName("host:notaport")).toBeNull();
    expect(["127.0.0.1", "localhost", "::1", "[::1]", "127.9.9.9"].every(isLoopbackBind)).toBe(true);
    expect(["0.0.0.0", "::", "192.168.1.10", "example.com"].some(isLoopbackBind)).toBe(false);
    expect(["127.0.0.1", "::1", "::ffff:127.0.0.1"].every(isLoopbackPeer)).toBe(true);
    expect(["10.0.0.2", "::ffff:10.0.0.2", undefined].some(isLoopbackPeer)).toBe(false);
  });
});

describe("content types", () => {
  test("the JSON endpoints refuse anything but application/json (415) and act on nothing", async () => {
    const forged = [
      ["/e/k", JSON.stringify([{ name: "hosts/forged" }])],
      ["/fn/register", JSON.stringify({ appName: "forged", url: app.url, functions: [] })],
      ["/v1/apps/sync", JSON.stringify({ url: app.url })],
      ["/v1/runs/01NOPE/cancel", "{}"],
      ["/v1/checkpoint/01NOPE/async", JSON.stringify({ qi_id: "x", steps: [] })],
    ];
    for (const [p, body] of forged) {
      for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
        const res = await fetch(`${engine.url}${p}`, { method: "POST", headers: type ? { "content-type": type } : {}, body: type ? body : new Blob([body!]) });
        expect(res.status, `${p} ${type}`).toBe(415);
        expect(((await res.json()) as { error: string }).error).toMatch(/content-type must be application\/json/);
      }
    }
    expect(await count("hosts/forged")).toBe(0);
    expect((await getJson<{ apps: { id: string }[] }>(`${engine.url}/v1/status`)).body.apps.map((a) => a.id)).not.toContain("forged");
    // Parameters are fine; the type is what counts.
    const ok = await fetch(`${engine.url}/e/k`, { method: "POST", headers: { "content-type": "Application/JSON; charset=utf-8" }, body: JSON.stringify([{ name: "hosts/forged" }]) });
    expect(ok.status).toBe(200);
  });

  test("the SDK's own calls carry application/json: send, step.sendEvent and the out-of-band /fn/register all get through", async () => {
    const inngest = fixtureClient(engine.url, "sdk-types");
    const fn = inngest.createFunction({ id: "f", triggers: [{ event: "sdk-types/go" }] }, async ({ step }) => {
      await step.sendEvent("tell", { name: "sdk-types/told" });
      return "sent";
    });
    const sdkApp = await startFixtureApp(inngest, [fn]);
    try {
      const put = await fetch(sdkApp.url, { method: "PUT" }); // out of band: the SDK POSTs /fn/register
      expect(put.status).toBe(200);
      await inngest.send({ name: "sdk-types/go" });
      await waitFor(async () => (await count("sdk-types/told")) === 1, { what: "step.sendEvent to arrive" });
    } finally {
      await sdkApp.close();
    }
  });
});

describe("cross-site requests to the operator API", () => {
  // A page the developer visits can reach 127.0.0.1 under its own name (DNS rebinding), post a
  // text/plain or form body without a preflight, or try a preflight for JSON/DELETE. Sync and
  // cancel must refuse every one of them and act on nothing.
  test("POST /v1/apps/sync: a foreign Host, a form post and a preflight are refused, and the app is never called", async () => {
    let fetched = 0;
    const target = http.createServer((req, res) => {
      fetched++;
      req.resume();
      res.end("{}");
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
    try {
      const port = new URL(engine.url).port;
      const body = JSON.stringify({ url: `http://127.0.0.1:${(target.address() as { port: number }).port}/api/inngest` });
      for (const host of ["evil.example", `evil.example:${port}`, "127.0.0.1.evil.example"]) {
        expect((await raw("POST", `${engine.url}/v1/apps/sync`, { host, "content-type": "application/json" }, body)).status, host).toBe(421);
      }
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
        expect((await raw("POST", `${engine.url}/v1/apps/sync`, { host: `127.0.0.1:${port}`, "content-type": type, origin: "http://evil.example" }, body)).status, type).toBe(415);
      }
      const preflight = await fetch(`${engine.url}/v1/apps/sync`, {
        method: "OPTIONS",
        headers: { origin: "http://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
      expect(preflight.headers.get("access-control-allow-headers")).toBeNull();
      expect(fetched).toBe(0);
      // The same request from this machine, as JSON, does call the app (so the zero above means refused).
      await fetch(`${engine.url}/v1/apps/sync`, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(fetched).toBeGreaterThan(0);
    } finally {
      target.closeAllConnections();
      await new Promise((r) => target.close(r));
    }
  });

  test("cancelling a run (POST /v1/runs/:id/cancel, DELETE /v1/runs/:id): a foreign Host, a form post and a preflight are refused, and the run keeps running", async () => {
    const inngest = fixtureClient(engine.url, "cancel-xsite");
    const fn = inngest.createFunction({ id: "waits", triggers: [{ event: "cancel-xsite/go" }] }, async ({ step }) => {
      await step.waitForEvent("never", { event: "cancel-xsite/never", timeout: "1h" });
      return "done";
    });
    const waitingApp = await startFixtureApp(inngest, [fn]);
    try {
      expect((await fetch(waitingApp.url, { method: "PUT" })).status).toBe(200); // sync it
      const { body: sent } = await sendEvents(engine.url, [{ name: "cancel-xsite/go" }]);
      const runId = await waitFor(
        async () => {
          const { body } = await getJson<{ data: { run_id: string; status: string }[] }>(`${engine.url}/v1/events/${sent.ids[0]}/runs`);
          const run = body.data[0];
          return run && run.status === "Running" ? run.run_id : null;
        },
        { what: "the run to wait" },
      );
      const port = new URL(engine.url).port;
      const status = async () => (await getJson<{ data: { status: string } }>(`${engine.url}/v1/runs/${runId}`)).body.data.status;
      for (const host of ["evil.example", `evil.example:${port}`]) {
        expect((await raw("POST", `${engine.url}/v1/runs/${runId}/cancel`, { host, "content-type": "application/json" }, "{}")).status, host).toBe(421);
        expect((await raw("DELETE", `${engine.url}/v1/runs/${runId}`, { host })).status, host).toBe(421);
      }
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
        expect((await raw("POST", `${engine.url}/v1/runs/${runId}/cancel`, { host: `127.0.0.1:${port}`, "content-type": type, origin: "http://evil.example" }, "{}")).status, type).toBe(415);
      }
      for (const method of ["POST", "DELETE"]) {
        const preflight = await fetch(`${engine.url}/v1/runs/${runId}${method === "POST" ? "/cancel" : ""}`, {
          method: "OPTIONS",
          headers: { origin: "http://evil.example", "access-control-request-method": method, "access-control-request-headers": "content-type" },
        });
        expect(preflight.headers.get("access-control-allow-origin"), method).toBeNull();
        expect(preflight.headers.get("access-control-allow-methods"), method).toBeNull();
      }
      expect(await status()).toBe("Running");
      // From this machine, as JSON, the same cancel works.
      const cancel = await fetch(`${engine.url}/v1/runs/${runId}/cancel`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(cancel.status).toBe(200);
      expect(await status()).toBe("Cancelled");
    } finally {
      await waitingApp.close();
    }
  });
});

describe("app hosts", () => {
  test("POST /v1/apps/sync and /fn/register accept only apps on allowed hosts (403), and nothing is fetched or registered", async () => {
    let fetched = 0;
    const trap = http.createServer((req, res) => {
      fetched++;
      req.resume();
      res.end("{}");
    });
    await new Promise<void>((r) => trap.listen(0, "127.0.0.1", r));
    try {
      const port = (trap.address() as { port: number }).port;
      for (const url of [`http://evil.example:${port}/api/inngest`, `http://169.254.169.254/latest/meta-data`, `http://10.0.0.1:${port}/`, "file:///etc/passwd"]) {
        const res = await fetch(`${engine.url}/v1/apps/sync`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url }) });
        expect(res.status, url).toBe(url.startsWith("file:") ? 400 : 403);
      }
      const fnConfig = (stepUrl: string) => ({
        id: "evil-f",
        name: "f",
        triggers: [{ event: "evil/f" }],
        steps: { step: { id: "step", name: "step", runtime: { type: "http", url: stepUrl } } },
      });
      const register = (url: string, stepUrl: string) =>
        fetch(`${engine.url}/fn/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appName: "evil", url, functions: [fnConfig(stepUrl)] }) });
      const appOff = await register("http://evil.example/api/inngest", "http://evil.example/api/inngest?fnId=evil-f&stepId=step");
      expect(appOff.status).toBe(403);
      expect(((await appOff.json()) as { status: number; error: string }).error).toMatch(/app URL http:\/\/evil\.example\/api\/inngest is not on an allowed app host .*--allow-app-host evil\.example/);
      // The app URL alone is not enough: every step URL is called too.
      const stepOff = await register(app.url, "http://evil.example/api/inngest?fnId=evil-f&stepId=step");
      expect(stepOff.status).toBe(403);
      expect(((await stepOff.json()) as { error: string }).error).toMatch(/function "evil-f": step URL/);
      expect((await getJson<{ apps: { id: string }[] }>(`${engine.url}/v1/status`)).body.apps.map((a) => a.id)).not.toContain("evil");
      // The UI's "Sync now" goes through the same check.
      const ui = await fetch(`${engine.url}/ui/api/apps/sync`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-engine-ui": "1" },
        body: JSON.stringify({ url: `http://evil.example:${port}/api/inngest` }),
      });
      expect(ui.status).toBe(422);
      expect(((await ui.json()) as { error: string }).error).toMatch(/not on an allowed app host/);
      expect(fetched).toBe(0);
      // --allow-app-host adds a host (registering needs no request to it).
      const allowed = await register("http://app.internal:3000/api/inngest", "http://app.internal:3000/api/inngest?fnId=evil-f&stepId=step");
      expect(allowed.status).toBe(200);
      // Loopback apps need no flag.
      const sync = await fetch(`${engine.url}/v1/apps/sync`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: app.url }) });
      expect(sync.status).toBe(200);
    } finally {
      trap.closeAllConnections();
      await new Promise((r) => trap.close(r));
    }
  });

  test("the --app-url hosts are allowed without --allow-app-host", async () => {
    const d = await createTestDatabase();
    dbs.push(d);
    const e = await startTestEngine(d.url, { appUrls: ["http://app.example:3000/api/inngest"] });
    engines.push(e);
    const res = await fetch(`${e.url}/fn/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appName: "named", url: "http://app.example:3000/api/inngest", functions: [] }),
    });
    expect(res.status).toBe(200);
  });
});

describe("binding", () => {
  test("off loopback is refused without keys (startEngine and the CLI); with keys it listens, and the UI refuses peers that are not this machine", async () => {
    const d = await createTestDatabase();
    dbs.push(d);
    await expect(startTestEngine(d.url, { host: "0.0.0.0" })).rejects.toThrow(AuthConfigError);
    await expect(startTestEngine(d.url, { host: "0.0.0.0" })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without keys/);

    await expect(startTestEngine(d.url, { signingKey: "not-hex", eventKeys: ["e"] })).rejects.toThrow(/signing key must be hex/);
    await expect(startTestEngine(d.url, { eventKeys: ["e"] })).rejects.toThrow(/an event key needs a signing key/);
    // The CLI says so and exits 2; the keys may come from the environment.
    const [cli, half] = await Promise.all([
      runCli(["--host", "0.0.0.0", "--database-url", d.url]),
      runCli(["--database-url", d.url], { ENGINE_SIGNING_KEY: `signkey-test-${"ab".repeat(32)}` }),
    ]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without keys/);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/needs at least one event key/);

    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    const signed = await startTestEngine(d.url, { host: "0.0.0.0", signingKey: `signkey-test-${"cd".repeat(32)}`, eventKeys: ["ek"], publicHosts: lan ? [lan] : [] });
    engines.push(signed);
    const port = signed.port;
    expect((await fetch(`http://127.0.0.1:${port}/runs`, { headers: { accept: "text/html" } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/v1/status`)).status).toBe(401);
    if (lan) {
      // Reached over the LAN address (named with --public-host): the peer is not loopback.
      expect((await fetch(`http://${lan}:${port}/runs`, { headers: { accept: "text/html" } })).status).toBe(403);
      expect((await fetch(`http://${lan}:${port}/ui/app.css`)).status).toBe(403);
      expect((await fetch(`http://${lan}:${port}/v1/status`, { headers: { authorization: `Bearer signkey-test-${"cd".repeat(32)}` } })).status).toBe(200);
    }
  }, 90_000);
});

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const root = path.resolve(import.meta.dirname, "../..");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "engine/main.ts", ...args], {
      cwd: root,
      env: { ...process.env, ENGINE_SIGNING_KEY: "", ENGINE_EVENT_KEY: "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => (stderr += c));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

test("sendEvents helper still works against a dev-mode engine (any key)", async () => {
  expect((await sendEvents(engine.url, [{ name: "hosts/any" }])).status).toBe(200);
});
