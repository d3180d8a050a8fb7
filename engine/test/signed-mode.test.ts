// Signed mode (the engine as a self-hosted Inngest server) against the real inngest@4 SDK in cloud
// mode, which verifies every request: the SDK accepts the engine's signatures (also with awkward
// bodies that only a true JCS canonicalisation signs right), refuses unsigned, wrongly signed and
// expired ones, verifies with its fallback key during a rotation; the engine refuses events without
// an event key, accepts both cloud-mode syncs (the signed in-band PUT and the out-of-band
// /fn/register with the hashed key), and its operator API needs the signing key.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Inngest } from "inngest";
import type { Engine } from "../index";
import { canonicalJson, hashSigningKey, signature, verifySignature } from "../src/signing";
import { createTestDatabase, getJson, silentLogger, startFixtureApp, startTestEngine, waitFor, type FixtureApp } from "./helpers";

const newKey = () => `signkey-test-${randomBytes(32).toString("hex")}`;
const K1 = newKey();
const K2 = newKey();
const EVENT_KEY = randomBytes(16).toString("hex");

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
const engines: Engine[] = [];
const apps: FixtureApp[] = [];
const dbs: Awaited<ReturnType<typeof createTestDatabase>>[] = [];

/** A second engine gets its own database: on a shared one, the first engine would run its work. */
async function ownDatabase(): Promise<string> {
  const d = await createTestDatabase();
  dbs.push(d);
  return d.url;
}

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { signingKey: K1, eventKeys: [EVENT_KEY] });
  engines.push(engine);
});

afterAll(async () => {
  for (const e of engines) await e.stop();
  for (const a of apps) await a.close();
  await db?.drop();
  for (const d of dbs) await d.drop();
});

type Recorded = { url: string; authorization: string | null; contentType: string | null };

/** A client in cloud mode (signature checks on) whose own calls to the engine are recorded. */
function cloudClient(engineUrl: string, id: string, keys: { signingKey?: string; signingKeyFallback?: string; eventKey?: string }, calls: Recorded[] = []) {
  const recording: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    calls.push({ url: String(input instanceof Request ? input.url : input), authorization: headers.get("authorization"), contentType: headers.get("content-type") });
    return fetch(input, init);
  };
  return new Inngest({ id, isDev: false, baseUrl: engineUrl, eventKey: EVENT_KEY, logger: silentLogger, fetch: recording, ...keys });
}

/** Sets a variable in this process's environment (where the SDK reads its settings) around `fn`. */
async function withProcessEnv<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line no-restricted-syntax -- the SDK's own reading of the environment is under test
  const env = process.env;
  const before = env[name];
  env[name] = value;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete env[name];
    else env[name] = before;
  }
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const asJson = { "content-type": "application/json" };

async function runsOfEvent(e: Engine, eventId: string) {
  return (await getJsonAuthed<{ data: { run_id: string; function_id: string; status: string; output: unknown }[] }>(`${e.url}/v1/events/${eventId}/runs`, K1)).data;
}

async function getJsonAuthed<T>(url: string, key: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json", ...bearer(key) } });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as T;
}

async function waitForOutput(e: Engine, eventId: string, fnId: string) {
  const run = await waitFor(async () => (await runsOfEvent(e, eventId)).find((r) => r.function_id === fnId && ["Completed", "Failed"].includes(r.status)), {
    what: `run of ${fnId}`,
  });
  return run;
}

describe("the SDK in cloud mode accepts the engine's signatures", () => {
  test("a run with steps, a sleep and step.sendEvent completes; every request to the app was signed; odd keys and characters sign right", async () => {
    const seen: { method: string; signed: boolean }[] = [];
    const inngest = cloudClient(engine.url, "signed", { signingKey: K1 });
    const fn = inngest.createFunction({ id: "echo", triggers: [{ event: "signed/echo" }] }, async ({ event, step }) => {
      const a = await step.run("first", () => ({ got: event.data }));
      await step.sleep("nap", "1s");
      await step.sendEvent("tell", { name: "signed/told", data: { "10": 1, "9": 2 } });
      return a;
    });
    const told = inngest.createFunction({ id: "told", triggers: [{ event: "signed/told" }] }, async ({ event }) => event.data);
    const app = await startFixtureApp(inngest, [fn, told], (req) => seen.push({ method: req.method ?? "", signed: typeof req.headers["x-inngest-signature"] === "string" }));
    apps.push(app);
    await engine.syncApp(app.url);

    // Integer-like keys come first in a JS object whatever their order; JCS sorts them as strings.
    const data = { "10": "ten", "9": "nine", b: [1, 2.5, 1e21, -0, { z: null, a: true }], a: "é \u2028 \ud83d\ude00 \"quoted\" \\ </script>", "": "empty key" };
    const { ids } = await inngest.send({ name: "signed/echo", data });
    const run = await waitForOutput(engine, ids[0]!, "signed-echo");
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ got: JSON.parse(JSON.stringify(data)) });
    const toldEvents = await getJsonAuthed<{ data: { id: string }[] }>(`${engine.url}/v1/events?name=signed/told`, K1);
    const toldRun = await waitForOutput(engine, toldEvents.data[0]!.id, "signed-told");
    expect(toldRun.output).toEqual({ "10": 1, "9": 2 });

    const posts = seen.filter((s) => s.method === "POST");
    expect(posts.length).toBeGreaterThanOrEqual(4); // first, nap, tell, completion; plus told
    expect(seen.every((s) => s.signed)).toBe(true); // the in-band PUTs too
  });

  test("canonicalJson is RFC 8785 as the SDK's `canonicalize` writes it", async () => {
    const { default: canonicalize } = (await import("canonicalize")) as { default: (v: unknown) => string };
    const values = [
      { "10": 1, "9": 2, "1": 3, a: 4, B: 5, "é": 6, "\u00e9\u0301": 7, "😀": 8 },
      [1, 2.5, 1e21, 1e-7, -0, 0.1 + 0.2, 2 ** 53 + 1, null, true, "x", [], {}],
      { s: "\u2028\u2029\u0000\u001f\"\\/</script>\ud800", nested: { y: [{ b: 1, a: 2 }], x: undefined } },
      "plain",
      42,
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(canonicalize(v));
  });

  test("the SDK signs its responses with the key that verified the request: HMAC over the exact body text + t", async () => {
    const inngest = cloudClient(engine.url, "respsig", { signingKey: K2, signingKeyFallback: K1 });
    const fn = inngest.createFunction({ id: "r", triggers: [{ event: "respsig/r" }] }, async () => ({ b: 1, a: 2 }));
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    const body = canonicalJson(runRequest("respsig-r", "respsig/r", "01RESPSIG"));
    // Signed with K1: the SDK's primary (K2) fails, its fallback (K1) verifies and signs the answer.
    const res = await fetch(`${app.url}?fnId=respsig-r&stepId=step`, { method: "POST", headers: { ...asJson, "x-inngest-signature": signature(body, K1) }, body });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(verifySignature(res.headers.get("x-inngest-signature"), text, [K1])).toEqual({ ok: true, key: K1 });
    expect(verifySignature(res.headers.get("x-inngest-signature"), text, [K2])).toMatchObject({ ok: false });
  });
});

/** The body the engine sends for a run's first request (sdk-call.ts). */
function runRequest(fnId: string, name: string, runId: string) {
  const event = { name, data: {}, id: `ev-${runId}`, ts: Date.now() };
  return {
    event,
    events: [event],
    steps: {},
    ctx: { run_id: runId, attempt: 0, max_attempts: 1, disable_immediate_execution: false, use_api: false, stack: { stack: [], current: 0 } },
    version: 2,
  };
}

describe("the SDK refuses what is not signed with its key", () => {
  let app: FixtureApp;
  let ran = 0;
  beforeAll(async () => {
    const inngest = cloudClient(engine.url, "strict", { signingKey: K1 });
    const fn = inngest.createFunction({ id: "count", retries: 0, triggers: [{ event: "strict/count" }] }, async () => ++ran);
    app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
  });

  test("unsigned, wrongly signed and expired requests get 401 and run nothing; a correctly signed one runs", async () => {
    const post = (headers: Record<string, string>, body: string) => fetch(`${app.url}?fnId=strict-count&stepId=step`, { method: "POST", headers: { ...asJson, ...headers }, body });
    const body = canonicalJson(runRequest("strict-count", "strict/count", "01STRICT"));
    const now = Date.now();
    const refused = [
      ["unsigned", await post({}, body)],
      ["wrong key", await post({ "x-inngest-signature": signature(body, K2, now) }, body)],
      ["expired (301 s old)", await post({ "x-inngest-signature": signature(body, K1, now - 301_000) }, body)],
      ["from the future (301 s ahead)", await post({ "x-inngest-signature": signature(body, K1, now + 301_000) }, body)],
      ["another body", await post({ "x-inngest-signature": signature(body, K1, now) }, body.replace("01STRICT", "01STRICU"))],
    ] as const;
    for (const [what, res] of refused) {
      expect(res.status, what).toBe(401);
      expect(await res.json(), what).toEqual({ message: "Unauthorized" });
    }
    expect(ran).toBe(0);
    // Within the window either way, and over the canonical form of whatever JSON was sent.
    const ok = await post({ "x-inngest-signature": signature(body, K1, now - 299_000) }, JSON.stringify(JSON.parse(body), null, 2));
    expect(ok.status).toBe(200);
    expect(ran).toBe(1);
  });

  test("an engine with another key: its sync is refused (401, said why) and its runs fail without the function running", async () => {
    const other = await startTestEngine(await ownDatabase(), { signingKey: K2, eventKeys: [EVENT_KEY] });
    engines.push(other);
    await expect(other.syncApp(app.url)).rejects.toThrow(/HTTP 401 .*must be the engine's --signing-key/);
    // Registered out of band (as if the app had been synced once), then driven with the wrong key.
    const config = {
      id: "strict-count",
      name: "count",
      triggers: [{ event: "strict/count" }],
      steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${app.url}?fnId=strict-count&stepId=step` }, retries: { attempts: 0 } } },
    };
    const reg = await fetch(`${other.url}/fn/register`, {
      method: "POST",
      headers: { ...asJson, ...bearer(hashSigningKey(K2)) },
      body: JSON.stringify({ appName: "strict", url: app.url, functions: [config] }),
    });
    expect(reg.status).toBe(200);
    const sent = await fetch(`${other.url}/e/${EVENT_KEY}`, { method: "POST", headers: asJson, body: JSON.stringify([{ name: "strict/count" }]) });
    const eventId = ((await sent.json()) as { ids: string[] }).ids[0]!;
    const run = await waitFor(async () => (await getJsonAuthed<{ data: { run_id: string; status: string }[] }>(`${other.url}/v1/events/${eventId}/runs`, K2)).data.find((r) => r.status === "Failed"), {
      what: "the wrongly signed run to fail",
    });
    const detail = await getJsonAuthed<{ data: { attempts: { status_code: number; error: { name: string; message: string } }[] } }>(`${other.url}/v1/runs/${run.run_id}`, K2);
    expect(detail.data.attempts[0]).toMatchObject({ status_code: 401, error: { name: "Unauthorized", message: expect.stringMatching(/refused the engine's signature/) } });
    expect(ran).toBe(1); // only the correctly signed request of the test before
  });
});

describe("rotation", () => {
  test("engine on the new key, the old one as fallback; the app on the old key with INNGEST_SIGNING_KEY_FALLBACK = new: syncs, runs, registers", async () => {
    const rotated = await startTestEngine(await ownDatabase(), { signingKey: K2, signingKeyFallback: K1, eventKeys: [EVENT_KEY] });
    engines.push(rotated);
    const calls: Recorded[] = [];
    // The fallback comes from the environment, as the app sets it (lib/env.ts → the SDK reads it).
    await withProcessEnv("INNGEST_SIGNING_KEY_FALLBACK", K2, async () => {
      const inngest = cloudClient(rotated.url, "rotating", { signingKey: K1 }, calls);
      expect(inngest.signingKeyFallback).toBe(K2);
      const fn = inngest.createFunction({ id: "r", triggers: [{ event: "rotating/r" }] }, async ({ step }) => step.run("s", () => "rotated"));
      const app = await startFixtureApp(inngest, [fn]);
      apps.push(app);
      // In-band: signed with K2, which the SDK verifies with its fallback.
      await rotated.syncApp(app.url);
      const { ids } = await inngest.send({ name: "rotating/r" });
      const run = await waitFor(
        async () => (await getJsonAuthed<{ data: { status: string; output: unknown }[] }>(`${rotated.url}/v1/events/${ids[0]}/runs`, K2)).data.find((r) => r.status === "Completed"),
        { what: "rotated run" },
      );
      expect(run.output).toBe("rotated");
      // Out-of-band: the SDK sends its primary key's hash (K1), which the engine accepts as its fallback.
      const put = await fetch(app.url, { method: "PUT" });
      expect(put.status).toBe(200);
      expect(calls.filter((c) => c.url.endsWith("/fn/register")).map((c) => c.authorization)).toEqual([`Bearer ${hashSigningKey(K1)}`]);
    });
  });
});

describe("event keys", () => {
  test("POST /e/<key> with an unknown key is 401 \"Event key not found\" and stores nothing; the SDK's send() with a wrong key throws", async () => {
    const count = async () => (await getJsonAuthed<{ data: unknown[] }>(`${engine.url}/v1/events?name=keys/x&limit=100`, K1)).data.length;
    const wrong = await fetch(`${engine.url}/e/not-the-key`, { method: "POST", headers: asJson, body: JSON.stringify([{ name: "keys/x" }]) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ ids: [], status: 401, error: "Event key not found" });
    expect(await count()).toBe(0);
    const right = await fetch(`${engine.url}/e/${EVENT_KEY}`, { method: "POST", headers: asJson, body: JSON.stringify([{ name: "keys/x" }]) });
    expect(right.status).toBe(200);
    expect(await count()).toBe(1);
    const inngest = new Inngest({ id: "wrongkey", isDev: false, baseUrl: engine.url, eventKey: "wrong", signingKey: K1, logger: silentLogger });
    await expect(inngest.send({ name: "keys/x" })).rejects.toThrow(/Event key not found/);
    expect(await count()).toBe(1);
  });
});

describe("cloud-mode sync", () => {
  test("in-band: the SDK answers only a signed PUT (an unsigned one is 401)", async () => {
    const inngest = cloudClient(engine.url, "inband", { signingKey: K1 });
    const fn = inngest.createFunction({ id: "x", triggers: [{ event: "inband/x" }] }, async () => 1);
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    const unsigned = await fetch(app.url, { method: "PUT", headers: { ...asJson, "x-inngest-sync-kind": "in_band" }, body: JSON.stringify({ url: app.url }) });
    expect(unsigned.status).toBe(401);
    expect((await engine.syncApp(app.url)).functions).toEqual(["inband-x"]);
  });

  test("out-of-band: the SDK POSTs /fn/register with Bearer <hashed key> and application/json; a wrong key is refused (401) and registers nothing", async () => {
    const calls: Recorded[] = [];
    const inngest = cloudClient(engine.url, "oob-signed", { signingKey: K1 }, calls);
    const fn = inngest.createFunction({ id: "x", triggers: [{ event: "oob-signed/x" }] }, async () => "oob");
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    const put = await fetch(app.url, { method: "PUT" });
    expect(put.status).toBe(200);
    const register = calls.find((c) => c.url === `${engine.url}/fn/register`)!;
    // hashSigningKey: the prefix, then hex(sha256(the hex-decoded key)) — computed independently here.
    const expected = `signkey-test-${createHash("sha256").update(Buffer.from(K1.slice("signkey-test-".length), "hex")).digest("hex")}`;
    expect(register).toEqual({ url: `${engine.url}/fn/register`, authorization: `Bearer ${expected}`, contentType: "application/json" });
    expect(hashSigningKey(K1)).toBe(expected);
    const fns = await getJsonAuthed<{ data: { id: string }[] }>(`${engine.url}/v1/functions`, K1);
    expect(fns.data.map((f) => f.id)).toContain("oob-signed-x");

    const impostor = cloudClient(engine.url, "impostor", { signingKey: K2 });
    const bad = await startFixtureApp(impostor, [impostor.createFunction({ id: "x", triggers: [{ event: "impostor/x" }] }, async () => 1)]);
    apps.push(bad);
    const refused = await fetch(bad.url, { method: "PUT" });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toMatch(/Authentication failed/);
    expect((await getJsonAuthed<{ data: { id: string }[] }>(`${engine.url}/v1/functions`, K1)).data.map((f) => f.id)).not.toContain("impostor-x");
  });
});

describe("the operator API needs the signing key", () => {
  test("/v1/… and the status JSON answer 401 without it, and accept the key or its hash (primary or fallback)", async () => {
    const paths = ["/v1/status", "/v1/runs", "/v1/events", "/v1/apps", "/v1/functions", "/v1/runs/nope", "/v1/events/nope/runs", "/"];
    for (const p of paths) {
      expect((await fetch(`${engine.url}${p}`)).status, p).toBe(401);
      expect((await fetch(`${engine.url}${p}`, { headers: bearer(K2) })).status, `${p} wrong key`).toBe(401);
      expect((await fetch(`${engine.url}${p}`, { headers: bearer(K1) })).status, `${p} raw key`).not.toBe(401);
      expect((await fetch(`${engine.url}${p}`, { headers: bearer(hashSigningKey(K1)) })).status, `${p} hashed key`).not.toBe(401);
    }
    // The prefix is ignored, as Inngest's API does: the bare hex key is the same key.
    expect((await fetch(`${engine.url}/v1/status`, { headers: bearer(K1.replace(/^signkey-test-/, "")) })).status).toBe(200);
    for (const [method, p, body] of [
      ["POST", "/v1/apps/sync", { url: "http://127.0.0.1:9/api/inngest" }],
      ["POST", "/v1/runs/nope/cancel", {}],
      ["DELETE", "/v1/runs/nope", undefined],
      ["POST", "/v1/checkpoint/nope/async", { qi_id: "x", steps: [] }],
      ["POST", "/fn/register", { appName: "x", url: "http://127.0.0.1:9/", functions: [] }],
      ["POST", "/v1/signals", {}],
    ] as const) {
      const res = await fetch(`${engine.url}${p}`, { method, headers: asJson, body: body && JSON.stringify(body) });
      expect(res.status, `${method} ${p}`).toBe(401);
    }
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
  });

  test("the UI still answers on this machine (it has no login; off-host peers are refused, see host-checks.test.ts)", async () => {
    const res = await fetch(`${engine.url}/runs`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    const status = await getJson(`${engine.url}/v1/status`);
    expect(status.status).toBe(401);
  });
});
