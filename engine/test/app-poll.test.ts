// The app poll (src/app-poller.ts): with `appPollMs` on, the engine picks up functions added to and
// removed from a running app by itself, keeps the last good functions when a sync fails (and says
// which function, once), and writes nothing while nothing changed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { InngestFunction } from "inngest";
import { cron } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import { createTestDatabase, fixtureClient, getJson, runsOf, sendEvents, startTestEngine, waitFor, waitForRun } from "./helpers";

/** An app whose function list the test changes while it runs (as editing inngest/index.ts does). */
async function startMutableApp(client: ReturnType<typeof fixtureClient>) {
  let handler = serve({ client, functions: [] });
  let mode: "sdk" | "down" = "sdk";
  let puts = 0;
  const server = http.createServer((req, res) => {
    if (req.method === "PUT") puts++;
    if (mode === "down") {
      req.resume();
      res.writeHead(503, { "content-type": "text/html" });
      return res.end("<h1>Compiling…</h1>");
    }
    return handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`,
    setFunctions(functions: InngestFunction.Any[]) {
      handler = serve({ client, functions });
    },
    setMode(m: typeof mode) {
      mode = m;
    },
    puts: () => puts,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

type Status = {
  apps: { id: string; url: string; synced_at: string; error: string | null }[];
  functions: { id: string }[];
  schedules: { function_id: string; cron: string }[];
};

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: Awaited<ReturnType<typeof startMutableApp>>;
let inngest: ReturnType<typeof fixtureClient>;
const lines: string[] = [];

const status = async () => (await getJson<Status>(`${engine.url}/v1/status`)).body;
const fnIds = async () => (await status()).functions.map((f) => f.id).sort();
/** Resolves after the engine has asked the app `n` more times (polls are observable as PUTs). */
const polls = async (n: number) => {
  const target = app.puts() + n;
  await waitFor(() => app.puts() >= target, { what: `${n} more polls` });
};

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { appPollMs: 50, log: (l) => lines.push(l) });
  inngest = fixtureClient(engine.url, "poll");
  app = await startMutableApp(inngest);
  // Synced once with no function yet; from then on the poll follows the app (every app the engine
  // knows is polled, not only --app-url ones).
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await db?.drop();
});

describe("app poll", () => {
  test("a function added to the running app is synced within a poll and runs; a removed one (and its cron) stops", async () => {
    const a = inngest.createFunction({ id: "a", triggers: [{ event: "poll/a" }] }, async () => "a");
    const b = inngest.createFunction({ id: "b", triggers: [{ event: "poll/b" }] }, async ({ step }) => step.run("hello", () => "b"));
    const nightly = inngest.createFunction({ id: "nightly", triggers: [cron("0 3 * * *")] }, async () => "n");

    app.setFunctions([a]);
    await waitFor(async () => (await fnIds()).join() === "poll-a", { what: "poll-a synced" });

    // Not served yet: accepted, starts nothing.
    const early = await sendEvents(engine.url, [{ name: "poll/b" }]);
    expect(early.status).toBe(200);

    app.setFunctions([a, b, nightly]);
    await waitFor(async () => (await fnIds()).join() === "poll-a,poll-b,poll-nightly", { what: "poll-b and poll-nightly synced" });
    expect((await status()).schedules.map((s) => s.function_id)).toEqual(["poll-nightly"]);
    expect(lines.some((l) => /INFO app synced .*added=poll-b,poll-nightly/.test(l))).toBe(true);
    expect(await runsOf(engine.url, early.body.ids[0]!)).toEqual([]);

    const sent = await sendEvents(engine.url, [{ name: "poll/b" }]);
    expect((await waitForRun(engine.url, sent.body.ids[0]!, "poll-b")).output).toBe("b");

    app.setFunctions([b]);
    await waitFor(async () => (await fnIds()).join() === "poll-b", { what: "poll-a and poll-nightly removed" });
    expect((await status()).schedules).toEqual([]);
    expect(lines.some((l) => /INFO app synced .*removed=poll-a,poll-nightly/.test(l))).toBe(true);
    const gone = await sendEvents(engine.url, [{ name: "poll/a" }]);
    await polls(2);
    expect(await runsOf(engine.url, gone.body.ids[0]!)).toEqual([]);
  });

  test("polls that find nothing new write nothing and log nothing", async () => {
    const before = await status();
    const synced = lines.filter((l) => l.includes("app synced")).length;
    await polls(5);
    const after = await status();
    expect(after.apps[0]!.synced_at).toBe(before.apps[0]!.synced_at);
    expect(lines.filter((l) => l.includes("app synced")).length).toBe(synced);
  });

  test("a sync that fails keeps the last good functions running, names the function once, and clears when fixed", async () => {
    const b = inngest.createFunction({ id: "b", triggers: [{ event: "poll/b" }] }, async ({ step }) => step.run("hello", () => "b"));
    const bad = inngest.createFunction({ id: "bad", triggers: [{ event: "poll/bad", if: "size(event.data.items) > 2" }] }, async () => 1);
    const c = inngest.createFunction({ id: "c", triggers: [{ event: "poll/c" }] }, async () => "c");

    app.setFunctions([b, bad, c]);
    const failed = await waitFor(async () => (await status()).apps.find((x) => x.error), { what: "the sync error on the app" });
    expect(failed.error).toMatch(/function "poll-bad": unsupported trigger expression/);
    // All or nothing: c (valid, new) is not registered either; b keeps running.
    expect(await fnIds()).toEqual(["poll-b"]);
    const sent = await sendEvents(engine.url, [{ name: "poll/b" }]);
    expect((await waitForRun(engine.url, sent.body.ids[0]!, "poll-b")).output).toBe("b");

    await polls(4);
    const warned = lines.filter((l) => /WARN app sync failed, keeping its last synced functions .*poll-bad/.test(l));
    expect(warned).toHaveLength(1);

    // The browser UI says so on every page.
    const page = await (await fetch(`${engine.url}/runs`, { headers: { accept: "text/html" } })).text();
    expect(page).toContain("Sync problem");
    expect(page).toContain("function &quot;poll-bad&quot;");

    app.setFunctions([b, c]);
    await waitFor(async () => (await fnIds()).join() === "poll-b,poll-c", { what: "the fixed app synced" });
    expect((await status()).apps[0]!.error).toBeNull();
  });

  test("an app that stops answering keeps its functions; the error shows until it answers again", async () => {
    app.setMode("down");
    const down = await waitFor(async () => (await status()).apps.find((x) => x.error), { what: "the unreachable app's error" });
    expect(down.error).toMatch(/HTTP 503/);
    expect(await fnIds()).toEqual(["poll-b", "poll-c"]);
    app.setMode("sdk");
    await waitFor(async () => (await status()).apps[0]!.error === null, { what: "the error cleared" });
    expect(await fnIds()).toEqual(["poll-b", "poll-c"]);
  });
});
