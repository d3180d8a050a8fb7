// Conformance for the asynchronous ops and the run lifecycle, driving real inngest@4.24.0
// functions: step.waitForEvent, step.invoke, cancelOn, group.parallel race / v1 parallelism,
// inngest/function.finished and .cancelled as triggers, event meta, missing keys (notes §1–3,
// §10–12). Time scale 0.001, so "1h" is 3.6 s and "1s" is 1 ms.
import { NonRetriableError, RetryAfterError } from "inngest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../index";
import {
  createTestDatabase,
  fixtureClient,
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

const ran = new Map<string, number>();
const bump = (k: string) => ran.set(k, (ran.get(k) ?? 0) + 1);
const count = (k: string) => ran.get(k) ?? 0;

/** Test-controlled gates a step can wait on. */
const gates = new Map<string, { open: () => void; promise: Promise<void>; entered: boolean }>();
function gate(key: string) {
  let g = gates.get(key);
  if (!g) {
    let open = () => {};
    const promise = new Promise<void>((r) => (open = r));
    g = { open, promise, entered: false };
    gates.set(key, g);
  }
  return g;
}
async function passGate(key: string) {
  const g = gate(key);
  g.entered = true;
  await g.promise;
}

const finishedSeen: { data: Record<string, unknown> }[] = [];
const cancelledSeen: { data: Record<string, unknown> }[] = [];
const metaSeen: unknown[] = [];
const keyless = { active: 0, max: 0 };

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { random: () => 0 });
  const inngest = fixtureClient(engine.url, "ops");

  const waiter = inngest.createFunction({ id: "waiter", triggers: [{ event: "wait/start" }] }, async ({ event, step }) => {
    await step.run("gate", async () => {
      if (event.data.gate) await passGate(`wait-${event.data.orderId}`);
    });
    const got = await step.waitForEvent("approval", { event: "wait/approved", timeout: event.data.timeout as string, match: "data.orderId" });
    return got ? { name: got.name, data: got.data, id: got.id } : null;
  });

  const ifWaiter = inngest.createFunction({ id: "if-waiter", triggers: [{ event: "wait/if" }] }, async ({ step }) => {
    const got = await step.waitForEvent("big-payment", { event: "wait/payment", timeout: "1h", if: "event.data.user == async.data.user && async.data.amount > 100" });
    return got?.data ?? null;
  });

  const child = inngest.createFunction({ id: "child", retries: 0, triggers: [{ event: "child/direct" }] }, async ({ event, step }) => {
    bump(`child-${event.data.mode}`);
    if (event.data.mode === "fail") throw new NonRetriableError("child broke");
    if (event.data.mode === "slow") await step.sleep("slow-down", "1h");
    return { doubled: (event.data.n as number) * 2, sawInngest: typeof event.data._inngest };
  });

  const parent = inngest.createFunction({ id: "parent", triggers: [{ event: "parent/go" }] }, async ({ event, step }) => {
    try {
      const r = await step.invoke("call-child", {
        function: child,
        data: { n: event.data.n, mode: event.data.mode },
        ...(event.data.timeout ? { timeout: event.data.timeout as string } : {}),
      });
      return { ok: r };
    } catch (err) {
      return { err: (err as Error).name, message: (err as Error).message };
    }
  });

  const cancellable = inngest.createFunction(
    {
      id: "cancellable",
      retries: 2,
      cancelOn: [{ event: "order/cancelled", match: "data.orderId" }],
      triggers: [{ event: "order/placed" }],
      onFailure: () => void bump("cancellable-onFailure"),
    },
    async ({ event, step }) => {
      const id = event.data.orderId as string;
      await step.run("prepare", () => bump(`prepare-${id}`));
      if (event.data.mode === "sleep") await step.sleep("hold", "1h");
      if (event.data.mode === "backoff") {
        await step.run("charge", () => {
          bump(`charge-${id}`);
          throw new RetryAfterError("card network busy", "1h");
        });
      }
      await step.run("ship", () => bump(`ship-${id}`));
      return "shipped";
    },
  );

  const onCancelled = inngest.createFunction(
    { id: "on-cancelled", triggers: [{ event: "inngest/function.cancelled", if: "event.data.function_id == 'ops-cancellable'" }] },
    async ({ event }) => {
      cancelledSeen.push(event as unknown as { data: Record<string, unknown> });
      return "noted";
    },
  );

  const simple = inngest.createFunction({ id: "simple", triggers: [{ event: "simple/go" }] }, async ({ event, step }) => {
    metaSeen.push((event as { meta?: unknown }).meta);
    return step.run("one", () => ({ echoed: event.data.x }));
  });

  const onFinished = inngest.createFunction(
    { id: "on-finished", triggers: [{ event: "inngest/function.finished", if: "event.data.function_id == 'ops-simple'" }] },
    async ({ event }) => {
      finishedSeen.push(event as unknown as { data: Record<string, unknown> });
      return "seen";
    },
  );

  const racer = inngest.createFunction({ id: "racer", triggers: [{ event: "race/go" }] }, async ({ event, step, group }) => {
    const key = event.data.key as string;
    const winner = await group.parallel({ mode: "race" }, () =>
      Promise.race([
        step.run("fast", () => "fast"),
        step.run("slow", async () => {
          await passGate(`slow-${key}`);
          bump(`slow-${key}`);
          return "slow";
        }),
      ]),
    );
    await step.run("after", () => bump(`after-${key}-${winner}`));
    return winner;
  });

  const v1 = inngest.createFunction({ id: "v1-racer", optimizeParallelism: false, triggers: [{ event: "v1/go" }] }, async ({ event, step }) => {
    const key = event.data.key as string;
    const winner = await Promise.race([
      step.run("fast", () => "fast"),
      step.run("slow", async () => {
        await passGate(`slow-${key}`);
        return "slow";
      }),
    ]);
    await step.run("after", () => bump(`after-${key}-${winner}`));
    return winner;
  });

  const v2 = inngest.createFunction({ id: "v2-racer", triggers: [{ event: "v2/go" }] }, async ({ event, step }) => {
    const key = event.data.key as string;
    const winner = await Promise.race([
      step.run("fast", () => "fast"),
      step.run("slow", async () => {
        await passGate(`slow-${key}`);
        return "slow";
      }),
    ]);
    await step.run("after", () => bump(`after-${key}-${winner}`));
    return winner;
  });

  const idem = inngest.createFunction({ id: "idem-missing", idempotency: "event.data.orderId", triggers: [{ event: "idem/go" }] }, async ({ step }) => {
    await step.run("count", () => bump("idem-missing"));
  });

  const perUser = inngest.createFunction(
    { id: "per-user", concurrency: { limit: 1, key: "event.data.user" }, triggers: [{ event: "per-user/go" }] },
    async ({ step }) => {
      await step.run("work", async () => {
        keyless.active++;
        keyless.max = Math.max(keyless.max, keyless.active);
        await new Promise((r) => setTimeout(r, 30));
        keyless.active--;
      });
    },
  );

  app = await startFixtureApp(inngest, [waiter, ifWaiter, child, parent, cancellable, onCancelled, simple, onFinished, racer, v1, v2, idem, perUser]);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  for (const g of gates.values()) g.open();
  await engine?.stop();
  await app?.close();
  await db?.drop();
});

/** The run of `fnId` for the event, once it exists. */
async function runFor(eventId: string, fnId: string) {
  return waitFor(async () => (await runsOf(engine.url, eventId)).find((r) => r.function_id === fnId), { what: `run of ${fnId}` });
}

/** Until the run has recorded an attempt with this outcome ("waiting", "sleep", "invoked", …). */
async function untilOutcome(runId: string, outcome: string) {
  return waitFor(async () => (await getRun(engine.url, runId)).attempts.find((a) => a.outcome === outcome), { what: `${outcome} on ${runId}` });
}

describe("step.waitForEvent", () => {
  test("an event sent before the wait is recorded does not match: the wait times out with null", async () => {
    const sent = await sendEvents(engine.url, [{ name: "wait/start", data: { orderId: "b1", gate: true, timeout: "1m" } }]);
    await waitFor(() => gate("wait-b1").entered, { what: "the run to hold before its wait" });
    // The matching event arrives while the run is still before step.waitForEvent.
    await sendEvents(engine.url, [{ name: "wait/approved", data: { orderId: "b1" } }]);
    gate("wait-b1").open();
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-waiter");
    expect(run.status).toBe("Completed");
    expect(run.output).toBeNull();
    expect(run.steps.find((s) => s.op === "WaitForEvent")?.result).toBeNull();
    expect(run.attempts.map((a) => a.outcome)).toContain("timed out");
  });

  test("an event sent after the wait is recorded matches (match: data.orderId); others are ignored", async () => {
    const sent = await sendEvents(engine.url, [{ name: "wait/start", data: { orderId: "a1", timeout: "1h" } }]);
    const summary = await runFor(sent.body.ids[0]!, "ops-waiter");
    await untilOutcome(summary.run_id, "waiting");
    await sendEvents(engine.url, [
      { name: "wait/approved", data: { orderId: "other" } },
      { name: "wait/rejected", data: { orderId: "a1" } },
      { id: "approval-a1", name: "wait/approved", data: { orderId: "a1", by: "alice" } },
    ]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-waiter");
    // The raw event is memoised; the SDK validates its name and hands it to the function.
    expect(run.output).toEqual({ name: "wait/approved", data: { orderId: "a1", by: "alice" }, id: "approval-a1" });
    expect(run.attempts.map((a) => a.outcome)).toContain("event received");
  });

  test("timeout: no event → null", async () => {
    const sent = await sendEvents(engine.url, [{ name: "wait/start", data: { orderId: "t1", timeout: "5s" } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-waiter");
    expect(run.output).toBeNull();
    const waiting = run.attempts.find((a) => a.outcome === "waiting")!;
    expect(Date.parse(waiting.retry_at!) - Date.parse(waiting.ended_at)).toBe(5); // 5 s scaled
  });

  test("`if` sees the trigger as `event` and the candidate as `async`", async () => {
    const sent = await sendEvents(engine.url, [{ name: "wait/if", data: { user: "u7" } }]);
    const summary = await runFor(sent.body.ids[0]!, "ops-if-waiter");
    await untilOutcome(summary.run_id, "waiting");
    await sendEvents(engine.url, [
      { name: "wait/payment", data: { user: "u7", amount: 50 } },
      { name: "wait/payment", data: { user: "u8", amount: 500 } },
      { name: "wait/payment", data: { user: "u7", amount: 150 } },
    ]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-if-waiter");
    expect(run.output).toEqual({ user: "u7", amount: 150 });
  });
});

describe("step.invoke", () => {
  test("success: the child runs with the payload and its return value comes back", async () => {
    const sent = await sendEvents(engine.url, [{ name: "parent/go", data: { n: 21, mode: "ok" } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-parent");
    expect(run.output).toEqual({ ok: { doubled: 42, sawInngest: "object" } });
    expect(run.steps.find((s) => s.op === "InvokeFunction")?.result).toEqual({ data: { doubled: 42, sawInngest: "object" } });
  });

  test("failure: the child's error is thrown in the parent", async () => {
    const sent = await sendEvents(engine.url, [{ name: "parent/go", data: { n: 1, mode: "fail" } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-parent");
    expect(run.status).toBe("Completed");
    expect(run.output).toMatchObject({ message: "child broke" });
    expect(count("child-fail")).toBe(1);
  });

  test("timeout: InngestInvokeTimeoutError while the child keeps running", async () => {
    const sent = await sendEvents(engine.url, [{ name: "parent/go", data: { n: 1, mode: "slow", timeout: "1s" } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-parent");
    expect(run.output).toEqual({ err: "InngestInvokeTimeoutError", message: "Timed out waiting for invoked function to complete" });
    expect(count("child-slow")).toBe(1);
  });
});

describe("cancelOn", () => {
  test("during a sleep: cancelled at once, no more steps, function.cancelled triggers a function, no onFailure", async () => {
    const sent = await sendEvents(engine.url, [{ name: "order/placed", data: { orderId: "s1", mode: "sleep" } }]);
    const summary = await runFor(sent.body.ids[0]!, "ops-cancellable");
    await untilOutcome(summary.run_id, "sleep");
    await sendEvents(engine.url, [
      { name: "order/cancelled", data: { orderId: "other" } },
      { name: "order/cancelled", data: { orderId: "s1" } },
    ]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-cancellable", ["Cancelled"]);
    expect(run.status).toBe("Cancelled");
    const seen = await waitFor(() => cancelledSeen.find((e) => e.data.run_id === run.run_id), { what: "the function.cancelled handler" });
    expect(seen.data).toMatchObject({
      function_id: "ops-cancellable",
      event: { name: "order/placed", data: { orderId: "s1", mode: "sleep" } },
      error: { message: "function cancelled" },
    });
    expect(count("prepare-s1")).toBe(1);
    expect(count("ship-s1")).toBe(0);
    expect(count("cancellable-onFailure")).toBe(0);
  });

  test("during a retry backoff: the retry never happens", async () => {
    const sent = await sendEvents(engine.url, [{ name: "order/placed", data: { orderId: "r1", mode: "backoff" } }]);
    const summary = await runFor(sent.body.ids[0]!, "ops-cancellable");
    const retry = await untilOutcome(summary.run_id, "error");
    expect(Date.parse(retry.retry_at!) - Date.parse(retry.ended_at)).toBe(3600); // retry-after 1h, scaled
    await sendEvents(engine.url, [{ name: "order/cancelled", data: { orderId: "r1" } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-cancellable", ["Cancelled"]);
    await waitFor(() => cancelledSeen.find((e) => e.data.run_id === run.run_id), { what: "the function.cancelled handler" });
    await engine.poke();
    expect(count("charge-r1")).toBe(1);
    expect(count("ship-r1")).toBe(0);
    expect((await getRun(engine.url, run.run_id)).status).toBe("Cancelled");
  });

  test("a cancel event sent before the run exists does not cancel it", async () => {
    await sendEvents(engine.url, [{ name: "order/cancelled", data: { orderId: "e1" } }]);
    const sent = await sendEvents(engine.url, [{ name: "order/placed", data: { orderId: "e1" } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-cancellable");
    expect(run.output).toBe("shipped");
  });
});

describe("lifecycle events and event data", () => {
  test("inngest/function.finished is emitted with the result and triggers a function; event meta is kept", async () => {
    const sent = await sendEvents(engine.url, [{ name: "simple/go", data: { x: 5 }, meta: { sessions: { trace: "t-1" } } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-simple");
    const seen = await waitFor(() => finishedSeen.find((e) => e.data.run_id === run.run_id), { what: "the function.finished handler" });
    expect(seen.data).toMatchObject({
      function_id: "ops-simple",
      result: { echoed: 5 },
      event: { name: "simple/go", data: { x: 5 }, meta: { sessions: { trace: "t-1" } } },
      _inngest: { status: "Completed" },
    });
    expect(run.event).toMatchObject({ meta: { sessions: { trace: "t-1" } } });
    expect(metaSeen).toContainEqual({ sessions: { trace: "t-1" } });
  });

  test("idempotency key whose field is missing: no dedupe, every event runs (notes §12)", async () => {
    const sent = await sendEvents(engine.url, [
      { name: "idem/go", data: {} },
      { name: "idem/go", data: {} },
      { name: "idem/go", data: { orderId: null } },
      { name: "idem/go", data: { orderId: null } },
    ]);
    const [m1, m2, n1, n2] = sent.body.ids as [string, string, string, string];
    await waitForRun(engine.url, m1, "ops-idem-missing");
    await waitForRun(engine.url, m2, "ops-idem-missing");
    await waitForRun(engine.url, n1, "ops-idem-missing");
    // An explicit null is a value: shared by every such event.
    expect(await runsOf(engine.url, n2)).toEqual([]);
    expect(count("idem-missing")).toBe(3);
  });
});

test("concurrency key whose field is missing: every such run shares one key (Inngest's \"false\")", async () => {
  const sent = await sendEvents(engine.url, Array.from({ length: 3 }, () => ({ name: "per-user/go", data: {} })));
  for (const id of sent.body.ids) await waitForRun(engine.url, id, "ops-per-user");
  expect(keyless.max).toBe(1);
});

describe("parallelism", () => {
  test("group.parallel race: the function goes on when the first branch finishes", async () => {
    const sent = await sendEvents(engine.url, [{ name: "race/go", data: { key: "r" } }]);
    await waitFor(() => count("after-r-fast") === 1, { what: "the step after the race" });
    expect(count("slow-r")).toBe(0); // the loser is still running
    gate("slow-r").open();
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-racer");
    expect(run.output).toBe("fast");
    expect(count("after-r-fast")).toBe(1);
  });

  test("optimizeParallelism: false (request version 1): Promise.race resolves with the first branch", async () => {
    const sent = await sendEvents(engine.url, [{ name: "v1/go", data: { key: "v1" } }]);
    await waitFor(() => count("after-v1-fast") === 1, { what: "the step after the race" });
    gate("slow-v1").open();
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-v1-racer");
    expect(run.output).toBe("fast");
  });

  test("default (version 2): a plain Promise.race waits for every branch before going on", async () => {
    const sent = await sendEvents(engine.url, [{ name: "v2/go", data: { key: "v2" } }]);
    const summary = await runFor(sent.body.ids[0]!, "ops-v2-racer");
    await waitFor(async () => (await getRun(engine.url, summary.run_id)).steps.some((s) => s.name === "fast"), { what: "fast to finish" });
    await waitFor(() => gate("slow-v2").entered, { what: "slow to start" });
    expect(count("after-v2-fast")).toBe(0);
    gate("slow-v2").open();
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "ops-v2-racer");
    expect(run.output).toBe("fast");
    expect(count("after-v2-fast")).toBe(1);
  });
});
