// Sync paths (in-band, out-of-band /fn/register, rejection of what the engine cannot honour) and
// bad input: malformed bodies, oversized payloads, unknown paths, apps that answer garbage or hang.
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import {
  createTestDatabase,
  fixtureClient,
  getJson,
  sendEvents,
  startFixtureApp,
  startTestEngine,
  waitFor,
  waitForRun,
  type FixtureApp,
} from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
const apps: FixtureApp[] = [];
let garbage: http.Server;
let garbageBase = "";
let garbageMode: "garbage" | "hang" | "500" = "garbage";

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { requestTimeoutMs: 300, maxBodyBytes: 64 * 1024 });
  // An "app" that is not an Inngest SDK: plain text, a hang, or a 500 without SDK headers.
  garbage = http.createServer((req, res) => {
    req.resume();
    if (garbageMode === "hang") return; // never answers; the engine's timeout must fire
    if (garbageMode === "500") {
      res.writeHead(500, { "content-type": "text/html" });
      return res.end("<h1>Internal Server Error</h1>");
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("hello, I am not an SDK");
  });
  await new Promise<void>((r) => garbage.listen(0, "127.0.0.1", r));
  garbageBase = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/api/inngest`;
});

afterAll(async () => {
  await engine?.stop();
  for (const a of apps) await a.close();
  garbage?.closeAllConnections();
  await new Promise((r) => garbage?.close(r));
  await db?.drop();
});

function garbageConfig(id: string, event: string) {
  return {
    id,
    name: id,
    triggers: [{ event }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${garbageBase}?fnId=${id}&stepId=step` }, retries: { attempts: 1 } } },
  };
}

describe("sync", () => {
  test("out-of-band: PUT without in-band header makes the SDK POST /fn/register; deployId is stripped", async () => {
    const inngest = fixtureClient(engine.url, "oob");
    const fn = inngest.createFunction({ id: "hello", triggers: [{ event: "oob/hello" }] }, async () => "hi");
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    const put = await fetch(`${app.url}?deployId=dep-1`, { method: "PUT" });
    expect(put.status).toBe(200);
    expect(put.headers.get("x-inngest-sync-kind")).toBe("out_of_band");
    const status = await getJson<{ apps: { id: string; url: string }[]; functions: { id: string }[] }>(`${engine.url}/v1/status`);
    expect(status.body.apps.find((a) => a.id === "oob")?.url).toBe(app.url);
    expect(status.body.functions.map((f) => f.id)).toContain("oob-hello");
    const sent = await sendEvents(engine.url, [{ name: "oob/hello" }]);
    expect((await waitForRun(engine.url, sent.body.ids[0]!, "oob-hello")).output).toBe("hi");
  });

  test("POST /v1/apps/sync re-syncs an app on demand", async () => {
    const inngest = fixtureClient(engine.url, "resync");
    const fn = inngest.createFunction({ id: "one", triggers: [{ event: "resync/one" }] }, async () => 1);
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    const res = await fetch(`${engine.url}/v1/apps/sync`, { method: "POST", body: JSON.stringify({ url: app.url }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { functions: string[] } }).data.functions).toEqual(["resync-one"]);
  });

  test("an unsupported `if` expression fails the sync, naming the function; nothing is registered", async () => {
    const inngest = fixtureClient(engine.url, "badexpr");
    const ok = inngest.createFunction({ id: "fine", triggers: [{ event: "bad/x" }] }, async () => 1);
    const bad = inngest.createFunction(
      { id: "uses-size", triggers: [{ event: "bad/x", if: "size(event.data.items) > 2" }] },
      async () => 1,
    );
    const app = await startFixtureApp(inngest, [ok, bad]);
    apps.push(app);
    await expect(engine.syncApp(app.url)).rejects.toThrow(/function "badexpr-uses-size": unsupported trigger expression/);
    const res = await fetch(`${engine.url}/v1/apps/sync`, { method: "POST", body: JSON.stringify({ url: app.url }) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/badexpr-uses-size/);
    const status = await getJson<{ functions: { id: string }[] }>(`${engine.url}/v1/status`);
    expect(status.body.functions.map((f) => f.id)).not.toContain("badexpr-fine");
  });

  test("flow control the engine does not implement (singleton) is rejected at sync, also via /fn/register", async () => {
    const inngest = fixtureClient(engine.url, "singled");
    const fn = inngest.createFunction(
      { id: "t", singleton: { mode: "skip" }, triggers: [{ event: "t/x" }] },
      async () => 1,
    );
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    await expect(engine.syncApp(app.url)).rejects.toThrow(/"singled-t": "singleton" is not supported/);
    // Out-of-band: the SDK takes the PUT's status from our reply body's `status` (protocol §1.3).
    const put = await fetch(app.url, { method: "PUT" });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { message: string }).message).toMatch(/singleton/);
  });
});

describe("bad input", () => {
  test("event API: malformed JSON, missing name, empty list, wrong method → 4xx with status in body", async () => {
    const malformed = await sendEvents(engine.url, "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ ids: [], status: 400 });
    const noName = await sendEvents(engine.url, [{ data: {} }]);
    expect(noName.status).toBe(400);
    expect(noName.body.error).toMatch(/"name"/);
    const badData = await sendEvents(engine.url, [{ name: "x", data: [1, 2] }]);
    expect(badData.status).toBe(400);
    expect((await sendEvents(engine.url, [])).status).toBe(400);
    expect((await fetch(`${engine.url}/e/key`)).status).toBe(405);
  });

  test("oversized payload → 413; unknown path → 404; the engine keeps serving", async () => {
    const big = await sendEvents(engine.url, [{ name: "x", data: { blob: "x".repeat(100 * 1024) } }]);
    expect(big.status).toBe(413);
    expect((await fetch(`${engine.url}/no/such/path`)).status).toBe(404);
    expect((await fetch(`${engine.url}/v1/runs/unknown`)).status).toBe(404);
    expect((await fetch(`${engine.url}/v1/runs/unknown`, { method: "DELETE" })).status).toBe(404);
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
  });

  test("an app answering garbage: each attempt recorded as failed, then the run fails", async () => {
    garbageMode = "garbage";
    const reg = await fetch(`${engine.url}/fn/register`, {
      method: "POST",
      body: JSON.stringify({ appName: "garbage", url: garbageBase, functions: [garbageConfig("garbage-fn", "bad/garbage")] }),
    });
    expect(reg.status).toBe(200);
    const sent = await sendEvents(engine.url, [{ name: "bad/garbage" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "garbage-fn");
    expect(run.status).toBe("Failed");
    expect(run.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [0, "error"],
      [1, "failed"],
    ]);
    expect(run.attempts[0]!.error?.name).toBe("NotAnSdkResponse");
  });

  test("an app that hangs: the request timeout counts as a failed attempt", async () => {
    garbageMode = "hang";
    await fetch(`${engine.url}/fn/register`, {
      method: "POST",
      body: JSON.stringify({ appName: "garbage", url: garbageBase, functions: [garbageConfig("hang-fn", "bad/hang")] }),
    });
    const sent = await sendEvents(engine.url, [{ name: "bad/hang" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "hang-fn");
    expect(run.status).toBe("Failed");
    expect(run.attempts).toHaveLength(2);
    expect(run.attempts[0]!.error?.name).toBe("TimeoutError");
  });

  test("an unreachable app: connection errors are failed attempts, not crashes", async () => {
    await fetch(`${engine.url}/fn/register`, {
      method: "POST",
      body: JSON.stringify({
        appName: "gone",
        url: "http://127.0.0.1:9/api/inngest",
        functions: [
          { ...garbageConfig("gone-fn", "bad/gone"), steps: { step: { id: "step", name: "step", runtime: { url: "http://127.0.0.1:9/api/inngest?fnId=gone-fn&stepId=step" }, retries: { attempts: 0 } } } },
        ],
      }),
    });
    const sent = await sendEvents(engine.url, [{ name: "bad/gone" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "gone-fn");
    expect(run.status).toBe("Failed");
    expect(run.attempts[0]!.error?.name).toBe("FetchError");
  });

  test("the SDK's event-id seed header makes a retried send idempotent (same ids, no second run)", async () => {
    const inngest = fixtureClient(engine.url, "seed");
    const fn = inngest.createFunction({ id: "s", triggers: [{ event: "seed/x" }] }, async () => 1);
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    await engine.syncApp(app.url);
    const post = () =>
      fetch(`${engine.url}/e/k`, {
        method: "POST",
        headers: { "x-inngest-event-id-seed": "1795953404578,1myjrvendPJnew==" },
        body: JSON.stringify([{ name: "seed/x", data: {} }]),
      }).then((r) => r.json() as Promise<{ ids: string[] }>);
    const a = await post();
    const b = await post();
    expect(b.ids).toEqual(a.ids);
    await waitForRun(engine.url, a.ids[0]!, "seed-s");
    const runs = await getJson<{ data: unknown[] }>(`${engine.url}/v1/events/${a.ids[0]}/runs`);
    expect(runs.body.data).toHaveLength(1);
  });

  test("inngest.send() from the real SDK resolves with the engine's ids", async () => {
    const inngest = fixtureClient(engine.url, "sender-client");
    const res = await inngest.send({ name: "nobody/listens", data: { a: 1 } });
    expect(res.ids).toHaveLength(1);
    const ev = await getJson<{ data: { name: string; data: unknown } }>(`${engine.url}/v1/events/${res.ids[0]}`);
    expect(ev.body.data).toMatchObject({ name: "nobody/listens", data: { a: 1 } });
  });
});

describe("lifecycle", () => {
  test("appUrls given at start are synced once the app comes up (background retry)", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}/api/inngest`;
    const late = await startTestEngine(db.url, { appUrls: [url] }); // the app is not up yet
    const client = fixtureClient(late.url, "late");
    const fn = client.createFunction({ id: "f", triggers: [{ event: "late/x" }] }, async () => "late ok");
    const server = http.createServer(serve({ client, functions: [fn] }));
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    try {
      await waitFor(
        async () =>
          (await getJson<{ functions: { id: string }[] }>(`${late.url}/v1/status`)).body.functions.some((f) => f.id === "late-f"),
        { what: "background sync of the late app" },
      );
      const sent = await sendEvents(late.url, [{ name: "late/x" }]);
      expect((await waitForRun(late.url, sent.body.ids[0]!, "late-f")).output).toBe("late ok");
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await late.stop();
    }
  });
});
