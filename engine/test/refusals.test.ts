// Nothing is silently ignored: every FunctionConfig field the engine does not implement is refused
// at sync with the function and the field named; every op it does not implement fails the run at
// once (one attempt, no retries) with an error naming the SDK call; SDK calls to APIs it lacks get
// a 501 naming the feature, not a 404.
import { openai, realtime, staticSchema } from "inngest";
import { createDefer } from "inngest/experimental";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import { createTestDatabase, fixtureClient, sendEvents, startFixtureApp, startTestEngine, waitForRun, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
const apps: FixtureApp[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url);
});

afterAll(async () => {
  await engine?.stop();
  for (const a of apps) await a.close();
  await db?.drop();
});

describe("refused at sync, by name", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    // throttle, rateLimit, debounce and batchEvents are supported; what Inngest refuses is refused.
    ["throttle", { throttle: { limit: 1, period: "8d" } }, /throttle\.period "8d" must be a duration between 1s and 7d/],
    ["batchCancel", { batchEvents: { maxSize: 10, timeout: "5s" }, cancelOn: [{ event: "r/stop" }] }, /"batchEvents" cannot be combined with "cancel"/],
    ["batchDebounce", { batchEvents: { maxSize: 10, timeout: "5s" }, debounce: { period: "5s" } }, /"batchEvents" cannot be combined with "debounce"/],
    ["singleton", { singleton: { mode: "skip" } }, /"singleton" is not supported by this engine/],
    ["priority", { priority: { run: "event.data.vip ? 120 : 0" } }, /"priority" is not supported by this engine/],
  ];
  test.each(cases)("%s", async (field, opts, message) => {
    const inngest = fixtureClient(engine.url, `refuse-${field.toLowerCase()}`);
    const fn = inngest.createFunction({ id: "f", triggers: [{ event: "r/x" }], ...opts }, async () => 1);
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    const err = await engine.syncApp(app.url).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(new RegExp(`function "refuse-${field.toLowerCase()}-f": `));
    expect(err?.message).toMatch(message);
  });

  test("a function config holding U+0000 (jsonb cannot store it): the sync fails naming where, instead of a 500", async () => {
    const inngest = fixtureClient(engine.url, "refuse-nul");
    const fn = inngest.createFunction({ id: "f", name: "Weekly\u0000digest", triggers: [{ event: "r/x" }] }, async () => 1);
    const app = await startFixtureApp(inngest, [fn]);
    apps.push(app);
    await expect(engine.syncApp(app.url)).rejects.toThrow(/app "refuse-nul": the function configs holds U\+0000 \(the NUL character\) at \[0\]\.name/);
  });

  test("cron jitter outside 1s–5m and createDefer() functions", async () => {
    const inngest = fixtureClient(engine.url, "refuse-misc");
    const jitter = inngest.createFunction({ id: "jitter", triggers: [{ cron: "* * * * *", jitter: "10m" }] }, async () => 1);
    const app = await startFixtureApp(inngest, [jitter]);
    apps.push(app);
    await expect(engine.syncApp(app.url)).rejects.toThrow(/"refuse-misc-jitter": cron jitter "10m" must be a duration between 1s and 5m/);

    const deferred = createDefer(inngest, { id: "later" }, async () => 1);
    const app2 = await startFixtureApp(inngest, [deferred]);
    apps.push(app2);
    await expect(engine.syncApp(app2.url)).rejects.toThrow(/"refuse-misc-later": defer\(\) \/ createDefer\(\)/);
  });
});

describe("refused at run time, by op, without retries", () => {
  let app: FixtureApp;
  beforeAll(async () => {
    const inngest = fixtureClient(engine.url, "ops-refused");
    const later = createDefer(inngest, { id: "later" }, async () => 1); // not served: refused at sync
    const updates = realtime.channel({ name: "updates", topics: { progress: { schema: staticSchema<{ pct: number }>() } } });
    const fns = [
      inngest.createFunction({ id: "fetch", triggers: [{ event: "r/fetch" }] }, async ({ step }) => {
        await step.fetch("http://127.0.0.1:9/nothing");
      }),
      inngest.createFunction({ id: "infer", triggers: [{ event: "r/infer" }] }, async ({ step }) => {
        await step.ai.infer("ask", { model: openai({ model: "gpt-4o-mini", apiKey: "none" }), body: { messages: [{ role: "user", content: "hi" }] } });
      }),
      inngest.createFunction({ id: "wait-signal", triggers: [{ event: "r/wait-signal" }] }, async ({ step }) => {
        await step.waitForSignal("sig", { signal: "s-1", timeout: "1h", onConflict: "replace" });
      }),
      inngest.createFunction({ id: "send-signal", triggers: [{ event: "r/send-signal" }] }, async ({ step }) => {
        await step.sendSignal("send", { signal: "s-1", data: { a: 1 } });
      }),
      inngest.createFunction({ id: "publish", triggers: [{ event: "r/publish" }] }, async ({ step }) => {
        await step.realtime.publish("pub", updates.progress, { pct: 50 });
      }),
      inngest.createFunction({ id: "defer", triggers: [{ event: "r/defer" }] }, async ({ step, defer }) => {
        await step.run("first", () => 1);
        defer("later", { function: later, data: { a: 1 } });
        await step.run("second", () => 2);
      }),
    ];
    app = await startFixtureApp(inngest, fns);
    apps.push(app);
    await engine.syncApp(app.url);
  });

  test.each([
    ["fetch", "r/fetch", /step\.fetch\(\) is not supported by this engine \(op "Gateway"/],
    ["infer", "r/infer", /step\.ai\.infer\(\) \(the AI gateway\) is not supported by this engine \(op "AIGateway"/],
    ["wait-signal", "r/wait-signal", /step\.waitForSignal\(\) \(signals\) is not supported by this engine \(op "WaitForSignal"/],
    ["send-signal", "r/send-signal", /step\.sendSignal\(\) \(signals\) is not supported by this engine/],
    ["publish", "r/publish", /step\.realtime\.publish\(\) \(realtime\) is not supported by this engine/],
    ["defer", "r/defer", /defer\(\) \/ createDefer\(\) is not supported by this engine \(op "DeferAdd"/],
  ])("%s", async (id, event, message) => {
    const sent = await sendEvents(engine.url, [{ name: event }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, `ops-refused-${id}`);
    expect(run.status).toBe("Failed");
    expect(run.error).toMatchObject({ name: "UnsupportedFeature" });
    expect((run.error as { message: string }).message).toMatch(message);
    // Failed on its first attempt: nothing was retried.
    expect(run.attempts.filter((a) => a.outcome === "error")).toEqual([]);
    expect(run.attempts.filter((a) => a.outcome === "failed")).toHaveLength(1);
  });
});

describe("U+0000 and unpaired surrogates (PostgreSQL's jsonb cannot store them; Inngest can) are refused by name, not a 500 or a crash loop", () => {
  let app: FixtureApp;
  beforeAll(async () => {
    const inngest = fixtureClient(engine.url, "nul");
    const fns = [
      inngest.createFunction({ id: "step", triggers: [{ event: "nul/step" }] }, async ({ step }) => {
        await step.run("read-file", () => ({ text: "PDF\u0000binary" }));
      }),
      inngest.createFunction({ id: "result", triggers: [{ event: "nul/result" }] }, async () => ["fine", "a\u0000b"]),
      // An emoji cut in half, as "😀 hi".slice(0, 1) does.
      inngest.createFunction({ id: "cut", triggers: [{ event: "nul/cut" }] }, async ({ step }) => {
        await step.run("summary", () => ({ title: "😀 hi".slice(0, 1) }));
      }),
    ];
    app = await startFixtureApp(inngest, fns);
    apps.push(app);
    await engine.syncApp(app.url);
  });

  test("an event holding it: 400 naming the event and the field, and none of the batch is stored", async () => {
    const sent = await sendEvents(engine.url, [{ name: "nul/ok", data: { a: 1 } }, { name: "nul/ok", data: { name: "x\u0000y" } }]);
    expect(sent.status).toBe(400);
    expect(sent.body.error).toMatch(/^event 1 holds U\+0000 \(the NUL character\) at data\.name: this engine keeps it in PostgreSQL's jsonb/);
    const stored = (await (await fetch(`${engine.url}/v1/events?name=nul/ok`)).json()) as { data: unknown[] };
    expect(stored.data).toEqual([]);
    // An escaped backslash before "u0000" is no NUL, and an emoji written as escapes is a valid pair: accepted.
    expect((await sendEvents(engine.url, [{ name: "nul/ok", data: { path: "C:\\u0000" } }])).status).toBe(200);
    expect((await sendEvents(engine.url, '[{"name":"nul/ok","data":{"smile":"\\ud83d\\ude00"}}]')).status).toBe(200);
    const cut = await sendEvents(engine.url, [{ name: "nul/ok", data: { title: "😀".slice(0, 1) } }]);
    expect(cut.status).toBe(400);
    expect(cut.body.error).toMatch(/^event 0 holds an unpaired surrogate .* at data\.title/);
  });

  test.each([
    ["step", "nul/step", /^the answer for step "read-file" holds U\+0000 \(the NUL character\) at data\.text/],
    ["result", "nul/result", /^the function's return value holds U\+0000 \(the NUL character\) at \[1\]/],
    ["cut", "nul/cut", /^the answer for step "summary" holds an unpaired surrogate \(half of a character such as an emoji, as when a string is cut inside one\) at data\.title/],
  ])("a %s holding it fails the run at once, naming where (before: five lease expiries, then 'the engine process died')", async (id, event, message) => {
    const sent = await sendEvents(engine.url, [{ name: event }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, `nul-${id}`);
    expect(run.status).toBe("Failed");
    expect(run.error).toMatchObject({ name: "UnsupportedFeature" });
    expect((run.error as { message: string }).message).toMatch(message);
    expect(run.attempts.map((a) => a.outcome)).toEqual(["failed"]);
  });
});

describe("APIs the engine lacks answer 501 naming the feature", () => {
  test.each([
    ["POST", "/v1/realtime/publish?channel=updates&topic=progress", /realtime/],
    ["POST", "/v1/realtime/token", /realtime/],
    ["POST", "/v1/runs/01ABC/metadata", /run metadata/],
    ["POST", "/v1/signals", /signals/],
    ["POST", "/v1/checkpoint", /durable endpoints/],
    ["GET", "/v0/runs/01ABC/actions", /use_api/],
    ["POST", "/v1/traces/userland", /extended traces/],
  ])("%s %s", async (method, path, feature) => {
    const res = await fetch(`${engine.url}${path}`, { method, body: method === "POST" ? "{}" : undefined });
    expect(res.status).toBe(501);
    expect(res.statusText).toMatch(feature);
    const body = (await res.json()) as { error: string; feature: string };
    expect(body.error).toMatch(/is not supported by this engine/);
    expect(body.feature).toMatch(feature);
  });
});
