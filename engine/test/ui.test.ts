// The browser UI's server side (src/ui/): every page renders with one h1, the actions do what their
// buttons say (send, replay, invoke, cancel, rerun, sync), cross-site requests are refused, the
// live stream speaks when something changes, and an event nobody listens to is shown (and logged
// at debug) as such. Layout, keyboard and axe checks run in Playwright (e2e/engine-ui.spec.ts).
import { NonRetriableError } from "inngest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import {
  createTestDatabase,
  fixtureClient,
  getJson,
  getRun,
  runsOf,
  sendEvents,
  startFixtureApp,
  startTestEngine,
  waitFor,
  waitForRun,
  type FixtureApp,
} from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;
const lines: string[] = [];
let flaky = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { log: (l) => lines.push(l), logLevel: "debug" });
  const inngest = fixtureClient(engine.url, "ui");
  const fns = [
    inngest.createFunction({ id: "steps", triggers: [{ event: "ui/steps" }] }, async ({ event, step }) => {
      const a = await step.run("first", () => ({ n: (event.data as { n?: number }).n ?? 0 }));
      await step.run("flaky", () => {
        if (++flaky === 1) throw new Error("first try fails");
        return "ok";
      });
      await step.sendEvent("tell", { name: "ui/told", data: { from: "steps" } });
      return { done: a.n };
    }),
    inngest.createFunction({ id: "sleeper", triggers: [{ event: "ui/sleep" }] }, async ({ step }) => {
      await step.sleep("nap", "1h");
      return "woke";
    }),
    inngest.createFunction({ id: "broken", retries: 0, triggers: [{ event: "ui/broken" }] }, async ({ step }) => {
      await step.run("explode", () => {
        throw new NonRetriableError("it broke");
      });
    }),
    inngest.createFunction({ id: "nightly", triggers: [{ cron: "TZ=UTC 0 3 * * *" }] }, async ({ event }) => ({ invokedWith: event.data })),
    inngest.createFunction({ id: "limited", rateLimit: { limit: 1, period: "1h" }, triggers: [{ event: "ui/limited" }] }, async () => "ran"),
    inngest.createFunction({ id: "batched", batchEvents: { maxSize: 2, timeout: "10s" }, triggers: [{ event: "ui/batched" }] }, async ({ events }) => events.length),
  ];
  app = await startFixtureApp(inngest, fns);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await db?.drop();
});

const page = async (path: string) => {
  const res = await fetch(`${engine.url}${path}`, { headers: { accept: "text/html" }, redirect: "manual" });
  return { status: res.status, headers: res.headers, html: await res.text() };
};

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${engine.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-engine-ui": "1", ...headers },
    body: JSON.stringify(body),
  });

const h1s = (html: string) => html.match(/<h1[\s>]/g)?.length ?? 0;

describe("pages", () => {
  test("a browser at / lands on the runs page; the status JSON stays at /v1/status (and / for non-browsers)", async () => {
    const home = await page("/");
    expect(home.status).toBe(303);
    expect(home.headers.get("location")).toBe("/runs");
    const json = await getJson<{ engine: string; functions: unknown[] }>(`${engine.url}/`);
    expect(json.body.engine).toBe("local-inngest-engine");
    expect((await getJson<{ functions: unknown[] }>(`${engine.url}/v1/status`)).body.functions).toHaveLength(6);
  });

  test("every page renders with one h1, the engine's own assets and a strict CSP", async () => {
    const sent = await sendEvents(engine.url, [{ name: "ui/steps", data: { n: 7 } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ui-steps");
    const paths = ["/runs", "/runs?status=completed&function=ui-steps", `/runs/${run.run_id}`, "/events", "/events?internal=1", "/events/new",
      "/events/new?function=ui-steps", `/events/${sent.body.ids[0]}`, "/functions", "/functions/ui-nightly", "/apps"];
    for (const p of paths) {
      const r = await page(p);
      expect(r.status, p).toBe(200);
      expect(h1s(r.html), p).toBe(1);
      expect(r.html, p).toContain('<script src="/ui/app.js" defer></script>');
      expect(r.html, p).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
      expect(r.headers.get("content-security-policy"), p).toContain("default-src 'none'; script-src 'self'");
    }
    expect((await page("/runs/nope")).status).toBe(404);
    expect((await page("/functions/nope")).status).toBe(404);
    expect((await fetch(`${engine.url}/ui/app.js`)).headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${engine.url}/ui/app.css`)).headers.get("content-type")).toMatch(/css/);
  });

  test("a run's page shows its waterfall: each attempt, the backoff before the retry, outputs, errors and the events it sent", async () => {
    const sent = await sendEvents(engine.url, [{ name: "ui/steps", data: { n: 3 } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ui-steps");
    const r = await page(`/runs/${run.run_id}`);
    expect(r.html).toContain("<h3>first</h3>");
    expect(r.html).toContain("<h3>flaky</h3>");
    // First page load of the earlier test ran `flaky` once already, so this run's `flaky` is ok at
    // once; the first run's page has the failed attempt and its backoff.
    const first = (await getJson<{ data: { run_id: string }[] }>(`${engine.url}/v1/runs?function_id=ui-steps&limit=10`)).body.data.at(-1)!;
    const firstPage = await page(`/runs/${first.run_id}`);
    expect(firstPage.html).toContain("error, will retry");
    expect(firstPage.html).toMatch(/backoff \d/);
    expect(firstPage.html).toContain("<summary>Error: first try fails</summary>");
    expect(firstPage.html).toContain("Attempt 2");
    expect(r.html).toContain("Events it sent");
    expect(r.html).toContain("ui/told");
    expect(r.html).toContain("&quot;done&quot;: 3");
    // A finished run's page is not live.
    expect(r.html).not.toContain("data-live");

    const broken = await sendEvents(engine.url, [{ name: "ui/broken" }]);
    const failed = await waitForRun(engine.url, broken.body.ids[0]!, "ui-broken");
    const fp = await page(`/runs/${failed.run_id}`);
    expect(fp.html).toContain("NonRetriableError: it broke");
    expect(fp.html).toMatch(/<details id="run-stack"><summary>Stack<\/summary><pre>NonRetriableError: it broke\n\s+at /);
  });

  test("an event that no function listens to says so (and is logged at debug)", async () => {
    const sent = await sendEvents(engine.url, [{ name: "ui/nobody-home", data: {} }]);
    const id = sent.body.ids[0]!;
    expect((await page(`/events/${id}`)).html).toContain("No function listens to this event.");
    expect((await page("/events")).html).toContain("No function listens to this event.");
    expect(lines.some((l) => l.includes("DEBUG no function listens to this event event=ui/nobody-home"))).toBe(true);
    expect(lines.some((l) => l.includes("DEBUG no function listens to this event event=ui/steps"))).toBe(false);
  });
});

describe("flow control", () => {
  test("a rate-limited event's run shows as Skipped; a batch run is listed under each of its events, with its batch", async () => {
    const sent = await sendEvents(engine.url, [{ name: "ui/limited" }, { name: "ui/limited" }]);
    await waitForRun(engine.url, sent.body.ids[0]!, "ui-limited");
    const skipped = await waitFor(async () => (await runsOf(engine.url, sent.body.ids[1]!)).find((r) => r.status === "Skipped"), { what: "the skipped run" });
    const runs = await page("/runs?function=ui-limited&status=skipped");
    expect(runs.html).toContain(skipped.run_id);
    expect(runs.html).toContain('<span class="badge s-skipped">Skipped</span>');
    const sp = await page(`/runs/${skipped.run_id}`);
    expect(sp.html).toContain("rate limited (rateLimit)");
    expect(sp.html).not.toContain('id="cancel"');

    const batch = await sendEvents(engine.url, [{ name: "ui/batched", data: { i: 1 } }, { name: "ui/batched", data: { i: 2 } }]);
    const run = await waitForRun(engine.url, batch.body.ids[0]!, "ui-batched");
    expect(run.output).toBe(2);
    for (const id of batch.body.ids) expect((await page(`/events/${id}`)).html).toContain(`/runs/${run.run_id}`);
    const rp = await page(`/runs/${run.run_id}`);
    expect(rp.html).toContain("Events in its batch");
    for (const id of batch.body.ids) expect(rp.html).toContain(id);

    // A rerun of the batch run gets the whole batch again.
    const rerun = (await (await post(`/ui/api/runs/${run.run_id}/rerun`, {})).json()) as { run_id: string };
    await waitFor(async () => (await getRun(engine.url, rerun.run_id)).status === "Completed", { what: "the batch rerun" });
    expect((await getRun(engine.url, rerun.run_id)).output).toBe(2);

    const fns = await page("/functions");
    expect(fns.html).toContain("Rate limit: {&quot;limit&quot;:1,&quot;period&quot;:&quot;1h&quot;}");
    expect(fns.html).toContain("Batch events: {&quot;maxSize&quot;:2,&quot;timeout&quot;:&quot;10s&quot;}");
  });
});

describe("actions", () => {
  test("send an event, replay it, rerun its run", async () => {
    const res = await post("/ui/api/events", { name: "ui/steps", data: { n: 1 } });
    expect(res.status).toBe(200);
    const sent = (await res.json()) as { ids: string[]; location: string };
    expect(sent.location).toBe(`/events/${sent.ids[0]}`);
    const run = await waitForRun(engine.url, sent.ids[0]!, "ui-steps");
    expect(run.output).toEqual({ done: 1 });

    const replay = (await (await post(`/ui/api/events/${sent.ids[0]}/replay`, {})).json()) as { ids: string[] };
    expect(replay.ids[0]).not.toBe(sent.ids[0]);
    expect((await waitForRun(engine.url, replay.ids[0]!, "ui-steps")).output).toEqual({ done: 1 });

    const rerun = await post(`/ui/api/runs/${run.run_id}/rerun`, {});
    expect(rerun.status).toBe(200);
    const { run_id } = (await rerun.json()) as { run_id: string };
    expect(run_id).not.toBe(run.run_id);
    await waitFor(async () => (await getRun(engine.url, run_id)).status === "Completed", { what: "the rerun to complete" });
    const again = await getRun(engine.url, run_id);
    expect(again.event_id).toBe(run.event_id);
    expect(again.output).toEqual({ done: 1 });
    expect((await runsOf(engine.url, sent.ids[0]!)).map((r) => r.run_id).sort()).toEqual([run.run_id, run_id].sort());
  });

  test("a bad event is refused with the reason", async () => {
    const res = await post("/ui/api/events", { data: {} });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/"name" must be a non-empty string/);
  });

  test("invoke a cron-only function with a payload; cancel a sleeping run", async () => {
    const inv = await post("/ui/api/functions/ui-nightly/invoke", { data: { why: "testing" } });
    expect(inv.status).toBe(200);
    const { ids } = (await inv.json()) as { ids: string[] };
    const run = await waitForRun(engine.url, ids[0]!, "ui-nightly");
    expect(run.output).toMatchObject({ invokedWith: { why: "testing" } });
    expect((await post("/ui/api/functions/ui-nope/invoke", { data: {} })).status).toBe(404);

    const sleep = await sendEvents(engine.url, [{ name: "ui/sleep" }]);
    const summary = await waitFor(async () => (await runsOf(engine.url, sleep.body.ids[0]!))[0], { what: "the sleeper's run" });
    await waitFor(async () => (await getRun(engine.url, summary.run_id)).steps.length > 0 || (await page(`/runs/${summary.run_id}`)).html.includes("sleeping until"), {
      what: "the run to sleep",
    });
    expect((await page(`/runs/${summary.run_id}`)).html).toContain('id="cancel"');
    const cancel = await post(`/ui/api/runs/${summary.run_id}/cancel`, {});
    expect(cancel.status).toBe(200);
    expect((await getRun(engine.url, summary.run_id)).status).toBe("Cancelled");
    expect((await post(`/ui/api/runs/${summary.run_id}/cancel`, {})).status).toBe(409);
  });

  test("sync now", async () => {
    const res = await post("/ui/api/apps/sync", { url: app.url });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: string }).message).toBe("Synced 6 functions.");
    const bad = await post("/ui/api/apps/sync", { url: "http://127.0.0.1:1/api/inngest" });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: string }).error).toMatch(/Sync failed: cannot reach/);
    // The URL that never synced is listed with its error.
    expect((await page("/apps")).html).toContain("http://127.0.0.1:1/api/inngest");
  });

  test("cross-site requests are refused: no header, another origin, a form content type, a foreign Host", async () => {
    const body = JSON.stringify({ name: "ui/steps" });
    const base = { method: "POST", body };
    const cases: [string, RequestInit][] = [
      ["no header", { ...base, headers: { "content-type": "application/json" } }],
      ["form post", { ...base, headers: { "content-type": "text/plain", "x-engine-ui": "1" } }],
      ["other origin", { ...base, headers: { "content-type": "application/json", "x-engine-ui": "1", origin: "http://evil.example" } }],
      ["cross-site fetch", { ...base, headers: { "content-type": "application/json", "x-engine-ui": "1", "sec-fetch-site": "cross-site" } }],
    ];
    for (const [what, init] of cases) {
      const res = await fetch(`${engine.url}/ui/api/events`, init);
      expect(res.status, what).toBe(403);
    }
    const same = await post("/ui/api/events", { name: "ui/nobody-home" }, { origin: engine.url, "sec-fetch-site": "same-origin" });
    expect(same.status).toBe(200);
    // DNS rebinding: a page served as evil.example that resolves to 127.0.0.1 sends Host: evil.example.
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${engine.url}/runs`, { headers: { host: "evil.example:8288" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});

describe("live", () => {
  test("/ui/live says `change` when an event arrives", async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${engine.url}/ui/live`, { signal: ctrl.signal, headers: { accept: "text/event-stream" } });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (pred: () => boolean) => {
      while (!pred()) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += decoder.decode(value);
      }
    };
    // The first check may report the state as it was when the stream opened; wait for it to settle.
    await until(() => text.includes("retry:"));
    const changes = () => text.split("event: change").length - 1;
    await sendEvents(engine.url, [{ name: "ui/nobody-home" }]);
    const before = changes();
    await waitFor(async () => {
      await until(() => changes() > before);
      return true;
    }, { what: "a change event" });
    ctrl.abort();
  });
});
