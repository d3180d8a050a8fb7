// Conformance: real inngest@4.24.0 functions, served by the SDK over HTTP, driven by the engine.
// Each test names the protocol fact (engine/README.md, shared protocol notes) it proves.
import { NonRetriableError, RetryAfterError } from "inngest";
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
  TIME_SCALE,
  waitFor,
  waitForRun,
  type FixtureApp,
} from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;

// Side-effect counters: what the step bodies really executed.
const ran = new Map<string, number>();
const bump = (k: string) => ran.set(k, (ran.get(k) ?? 0) + 1);
const attemptsSeen: Record<string, number[]> = {};
const failures: Record<string, unknown>[] = [];
const concurrency = { active: 0, max: 0 };
let flakyCalls = 0;
const perUser = new Map<string, number>();
const overall = { active: 0, max: 0, maxPerUser: 0 };

beforeAll(async () => {
  db = await createTestDatabase();
  // random = 0: jitter is zero so the scaled backoff delays are exact.
  engine = await startTestEngine(db.url, { random: () => 0 });
  const inngest = fixtureClient(engine.url);

  const seq = inngest.createFunction({ id: "seq", triggers: [{ event: "test/seq" }] }, async ({ event, step }) => {
    const a = await step.run("a", () => {
      bump(`seq-a-${event.data.n}`);
      return { at: new Date(0), n: event.data.n as number };
    });
    const b = await step.run("b", () => {
      bump(`seq-b-${event.data.n}`);
      return a.n * 2;
    });
    return { a, b };
  });

  const par = inngest.createFunction({ id: "par", triggers: [{ event: "test/par" }] }, async ({ step }) => {
    const [x, y] = await Promise.all([
      step.run("x", () => {
        bump("par-x");
        return "x";
      }),
      step.run("y", () => {
        bump("par-y");
        return "y";
      }),
    ]);
    const z = await step.run("z", () => {
      bump("par-z");
      return `${x}${y}z`;
    });
    return z;
  });

  const sleeper = inngest.createFunction({ id: "sleeper", triggers: [{ event: "test/sleep" }] }, async ({ event, step }) => {
    await step.run("before", () => bump("sleep-before"));
    await step.sleep("nap", (event.data.duration as string | undefined) ?? "2s");
    await step.run("after", () => bump("sleep-after"));
    return "rested";
  });

  const flaky = inngest.createFunction({ id: "flaky", retries: 3, triggers: [{ event: "test/flaky" }] }, async ({ step, attempt }) => {
    const v = await step.run("unstable", () => {
      (attemptsSeen.flaky ??= []).push(attempt);
      flakyCalls++;
      if (flakyCalls <= 2) throw new Error(`boom ${flakyCalls}`);
      return "finally";
    });
    await step.run("after", () => bump("flaky-after"));
    return v;
  });

  const doomed = inngest.createFunction(
    {
      id: "doomed",
      retries: 4,
      triggers: [{ event: "test/doomed" }],
      onFailure: async ({ event, error }) => {
        failures.push({ fn: "doomed", event, errorName: error.name, message: error.message });
      },
    },
    async ({ step }) => {
      await step.run("fatal", () => {
        bump("doomed-fatal");
        throw new NonRetriableError("card declined");
      });
    },
  );

  const exhausted = inngest.createFunction(
    {
      id: "exhausted",
      retries: 1,
      triggers: [{ event: "test/exhausted" }],
      onFailure: async ({ event, error }) => {
        failures.push({ fn: "exhausted", event, errorName: error.name, message: error.message });
      },
    },
    async ({ step }) => {
      await step.run("always-fails", () => {
        bump("exhausted-step");
        throw new Error("still broken");
      });
    },
  );

  let retryAfterCalls = 0;
  const retryAfter = inngest.createFunction({ id: "retry-after", triggers: [{ event: "test/retry-after" }] }, async ({ step }) => {
    return step.run("limited", () => {
      retryAfterCalls++;
      if (retryAfterCalls === 1) throw new RetryAfterError("rate limited", "5s");
      return "ok";
    });
  });

  const filtered = inngest.createFunction(
    { id: "filtered", triggers: [{ event: "test/order", if: "event.data.amount > 10 && (event.data.kind == 'paid' || !event.data.test)" }] },
    async ({ event }) => event.data.amount,
  );

  const wildcard = inngest.createFunction({ id: "wildcard", triggers: [{ event: "wild/*" }] }, async ({ event }) => event.name);

  const deduped = inngest.createFunction({ id: "deduped", triggers: [{ event: "test/dedupe" }] }, async ({ step }) => {
    await step.run("count", () => bump("deduped"));
  });

  const idem = inngest.createFunction(
    { id: "idem", idempotency: "event.data.orderId", triggers: [{ event: "test/idem" }] },
    async ({ step }) => {
      await step.run("count", () => bump("idem"));
    },
  );

  const limited = inngest.createFunction(
    { id: "limited", concurrency: { limit: 1, key: "event.data.userId" }, triggers: [{ event: "test/limited" }] },
    async ({ step }) => {
      await step.run("work", async () => {
        concurrency.active++;
        concurrency.max = Math.max(concurrency.max, concurrency.active);
        await new Promise((r) => setTimeout(r, 40));
        concurrency.active--;
      });
    },
  );

  const twoLimits = inngest.createFunction(
    { id: "two-limits", concurrency: [{ key: "event.data.userId", limit: 1 }, { limit: 2 }], triggers: [{ event: "test/two-limits" }] },
    async ({ event, step }) => {
      await step.run("work", async () => {
        const user = event.data.userId as string;
        perUser.set(user, (perUser.get(user) ?? 0) + 1);
        overall.active++;
        overall.max = Math.max(overall.max, overall.active);
        overall.maxPerUser = Math.max(overall.maxPerUser, perUser.get(user) ?? 0);
        await new Promise((r) => setTimeout(r, 40));
        overall.active--;
        perUser.set(user, (perUser.get(user) ?? 1) - 1);
      });
    },
  );

  const sender = inngest.createFunction({ id: "sender", triggers: [{ event: "test/sender" }] }, async ({ step }) => {
    const out = await step.sendEvent("fan-out", { name: "test/seq", data: { n: 99 } });
    return out;
  });

  // Errors thrown outside any step: function-level (500 retriable / 400 with x-inngest-no-retry).
  let topLevelCalls = 0;
  const topLevel = inngest.createFunction({ id: "top-level", retries: 2, triggers: [{ event: "test/top" }] }, async ({ event, attempt }) => {
    topLevelCalls++;
    if (event.data.fatal) throw new NonRetriableError("fatal outside steps");
    if (attempt < 2) throw new Error(`top-level ${attempt}`);
    return { attempt, topLevelCalls };
  });

  // A step returning `mib` MiB: over Inngest's 8 MiB response limit the attempt fails, retried.
  const sized = inngest.createFunction({ id: "sized", retries: 1, triggers: [{ event: "test/sized" }] }, async ({ event, step }) => {
    const blob = await step.run("blob", () => "A".repeat(Math.round((event.data.mib as number) * 1024 * 1024)));
    return blob.length;
  });

  // `n` steps all at once: Inngest allows a run 1,000 steps.
  const long = inngest.createFunction({ id: "long", retries: 2, triggers: [{ event: "test/long" }] }, async ({ event, step }) => {
    const n = event.data.n as number;
    await Promise.all(Array.from({ length: n }, (_, i) => step.run(`w${i}`, () => i)));
    return n;
  });

  app = await startFixtureApp(inngest, [
    seq, par, sleeper, flaky, doomed, exhausted, retryAfter, filtered, wildcard, deduped, idem, limited, sender, topLevel, twoLimits, sized, long,
  ]);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await db?.drop();
});

describe("sync", () => {
  test("in-band PUT registers every function with composite ids, failure handlers and max attempts", async () => {
    const { body } = await getJson<{ functions: { id: string; max_attempts: number; triggers: unknown[] }[] }>(`${engine.url}/v1/status`);
    const byId = new Map(body.functions.map((f) => [f.id, f]));
    expect(byId.get("fixture-seq")?.max_attempts).toBe(5); // default 4 retries → 5 attempts
    expect(byId.get("fixture-flaky")?.max_attempts).toBe(4); // retries: 3
    // onFailure becomes a separate "-failure" function with retries {attempts: 1} → 2 attempts.
    expect(byId.get("fixture-doomed-failure")?.max_attempts).toBe(2);
    expect(byId.get("fixture-doomed-failure")?.triggers).toEqual([
      { event: "inngest/function.failed", expression: "event.data.function_id == 'fixture-doomed'" },
    ]);
  });
});

describe("runs", () => {
  test("send → run: /e/ answers {ids, status:200}; memoised steps run once; JSON round trip", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/seq", data: { n: 21 } }]);
    expect(sent.status).toBe(200);
    expect(sent.body.status).toBe(200);
    expect(sent.body.ids).toHaveLength(1);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-seq");
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ a: { at: "1970-01-01T00:00:00.000Z", n: 21 }, b: 42 });
    expect(ran.get("seq-a-21")).toBe(1);
    expect(ran.get("seq-b-21")).toBe(1);
    expect(run.steps.map((s) => s.name)).toEqual(["a", "b"]);
    // The event a function sees gets the internal id when the sender gave none.
    expect(run.event.id).toBe(sent.body.ids[0]);
  });

  test("parallel steps: both planned steps run once, then the next step", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/par" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-par");
    expect(run.output).toBe("xyz");
    expect([ran.get("par-x"), ran.get("par-y"), ran.get("par-z")]).toEqual([1, 1, 1]);
    expect(run.steps.map((s) => s.name).sort()).toEqual(["x", "y", "z"]);
  });

  test("sleep: duration read from op.name, scaled, recorded as a null step under its name", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/sleep", data: { duration: "2s" } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-sleeper");
    expect(run.output).toBe("rested");
    const sleep = run.steps.find((s) => s.op === "Sleep");
    expect(sleep?.result).toBeNull();
    expect(sleep?.name).toBe("nap");
    const sleepAttempt = run.attempts.find((a) => a.outcome === "sleep");
    expect(sleepAttempt?.step_name).toBe("nap");
    const scheduled = Date.parse(sleepAttempt!.retry_at!) - Date.parse(sleepAttempt!.ended_at);
    expect(scheduled).toBeGreaterThanOrEqual(2000 * TIME_SCALE - 1);
    expect(scheduled).toBeLessThan(2000 * TIME_SCALE + 50);
  });

  test("step fails twice then succeeds: per-step attempt counter, table backoff (scaled)", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/flaky" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-flaky");
    expect(run.status).toBe("Completed");
    expect(run.output).toBe("finally");
    expect(attemptsSeen.flaky).toEqual([0, 1, 2]);
    const tries = run.attempts.filter((a) => a.step_name === "unstable");
    expect(tries.map((a) => [a.attempt, a.outcome])).toEqual([
      [0, "error"],
      [1, "error"],
      [2, "ok"],
    ]);
    // Table: 15 s after attempt 0, 30 s after attempt 1 (jitter 0), times the scale.
    const delay = (a: (typeof tries)[number]) => Date.parse(a.retry_at!) - Date.parse(a.ended_at);
    expect(Math.abs(delay(tries[0]!) - 15_000 * TIME_SCALE)).toBeLessThanOrEqual(2);
    expect(Math.abs(delay(tries[1]!) - 30_000 * TIME_SCALE)).toBeLessThanOrEqual(2);
    expect(Date.parse(tries[1]!.started_at)).toBeGreaterThanOrEqual(Date.parse(tries[0]!.retry_at!));
    expect(tries[0]!.error?.message).toBe("boom 1");
    // The attempt resets for the next step.
    expect(run.attempts.find((a) => a.step_name === "after")?.attempt).toBe(0);
  });

  test("NonRetriableError: one attempt, run fails, failure handler runs with the error", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/doomed", data: { orderId: "o-1" } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-doomed");
    expect(run.status).toBe("Failed");
    expect(ran.get("doomed-fatal")).toBe(1);
    expect(run.attempts.filter((a) => a.step_name === "fatal").map((a) => a.outcome)).toEqual(["failed"]);
    const failure = await waitFor(() => failures.find((f) => f.fn === "doomed"), { what: "doomed failure handler" });
    expect(failure.errorName).toBe("NonRetriableError");
    expect(failure.message).toBe("card declined");
    const ev = failure.event as { name: string; data: Record<string, unknown> };
    expect(ev.name).toBe("inngest/function.failed");
    expect(ev.data.function_id).toBe("fixture-doomed");
    expect(ev.data.run_id).toBe(run.run_id);
    expect((ev.data.event as { data: unknown }).data).toEqual({ orderId: "o-1" });
  });

  test("a response over 8 MiB (Inngest's MaxSDKResponseBodySize) fails the attempt with OutputTooLarge and is retried; the engine stays up; 3 MiB passes", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/sized", data: { mib: 9 } }, { name: "test/sized", data: { mib: 3 } }]);
    const [big, fine] = await Promise.all([waitForRun(engine.url, sent.body.ids[0]!, "fixture-sized"), waitForRun(engine.url, sent.body.ids[1]!, "fixture-sized")]);
    expect(big.status).toBe("Failed");
    expect(big.attempts.map((a) => [a.outcome, a.error?.name])).toEqual([
      ["error", "OutputTooLarge"], // retried
      ["failed", "OutputTooLarge"], // the last attempt
    ]);
    expect(big.attempts[0]!.error?.message).toMatch(/over 8 MiB/);
    expect(fine.status).toBe("Completed");
    expect(fine.output).toBe(3 * 1024 * 1024);
    expect((await getJson(`${engine.url}/v1/status`)).status).toBe(200);
  });

  test("Inngest's step limit, 1,000 by default: a plan of 1,001 parallel steps fails the run at once with InngestErrFunctionOverflowed (engine/test/limits.test.ts: the limit itself)", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/long", data: { n: 1001 } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-long");
    expect(run.status).toBe("Failed");
    expect(run.steps).toHaveLength(0);
    expect(run.attempts.map((a) => [a.outcome, a.error])).toEqual([
      ["failed", { name: "InngestErrFunctionOverflowed", message: "The function run exceeded the step limit of 1000 steps.", error: "InngestErrFunctionOverflowed: The function run exceeded the step limit of 1000 steps." }],
    ]);
  });

  test("exhausted retries: inngest/function.failed with function_id, run_id, error, event", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/exhausted", data: { k: 1 } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-exhausted");
    expect(run.status).toBe("Failed");
    expect(ran.get("exhausted-step")).toBe(2); // retries: 1 → max_attempts 2
    const failure = await waitFor(() => failures.find((f) => f.fn === "exhausted"), { what: "exhausted failure handler" });
    const ev = failure.event as { id: string; name: string; data: Record<string, unknown> };
    expect(ev.id).toBe(run.run_id);
    expect(ev.data).toMatchObject({
      function_id: "fixture-exhausted",
      run_id: run.run_id,
      event: { name: "test/exhausted", data: { k: 1 } },
      error: { name: "Error", message: "still broken" },
    });
    expect(failure.message).toBe("still broken");
    // The failure handler's own run is visible under the failed event.
    const failedEvents = await getJson<{ data: { internal_id: string; data: { run_id: string } }[] }>(
      `${engine.url}/v1/events?name=inngest/function.failed`,
    );
    const fe = failedEvents.body.data.find((e) => e.data.run_id === run.run_id);
    expect(fe).toBeDefined();
    const handlerRuns = await waitFor(async () => {
      const r = await runsOf(engine.url, fe!.internal_id);
      return r.find((x) => x.status === "Completed") ? r : null;
    });
    expect(handlerRuns.map((r) => r.function_id)).toEqual(["fixture-exhausted-failure"]);
  });

  test("RetryAfterError: the retry-after header replaces the table delay", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/retry-after" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-retry-after");
    expect(run.output).toBe("ok");
    const first = run.attempts.find((a) => a.outcome === "error")!;
    const delay = Date.parse(first.retry_at!) - Date.parse(first.ended_at);
    expect(Math.abs(delay - 5000 * TIME_SCALE)).toBeLessThanOrEqual(2); // 5 s, not the 15 s table entry
  });

  test("step.sendEvent: the SDK calls /e/ while the engine's request is open; the ids are memoised", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/sender" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-sender");
    const out = run.output as { ids: string[] };
    expect(out.ids).toHaveLength(1);
    const child = await waitForRun(engine.url, out.ids[0]!, "fixture-seq");
    expect(child.output).toMatchObject({ b: 198 });
  });
});

describe("function-level errors", () => {
  test("an error outside steps is retried (500) with the table; NonRetriableError (400, no-retry) is final", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/top" }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-top-level");
    expect(run.status).toBe("Completed");
    expect(run.attempts.map((a) => [a.attempt, a.outcome, a.status_code])).toEqual([
      [0, "error", 500],
      [1, "error", 500],
      [2, "completed", 200],
    ]);
    expect(run.attempts[0]!.error?.message).toBe("top-level 0");

    const fatal = await sendEvents(engine.url, [{ name: "test/top", data: { fatal: true } }]);
    const failed = await waitForRun(engine.url, fatal.body.ids[0]!, "fixture-top-level");
    expect(failed.status).toBe("Failed");
    expect(failed.attempts.map((a) => [a.attempt, a.outcome, a.status_code])).toEqual([[0, "failed", 400]]);
    expect(failed.error).toMatchObject({ name: "NonRetriableError", message: "fatal outside steps" });
  });
});

describe("triggers", () => {
  test("`if` expressions filter events; wildcards match", async () => {
    const sent = await sendEvents(engine.url, [
      { name: "test/order", data: { amount: 50, kind: "paid", test: true } },
      { name: "test/order", data: { amount: 5, kind: "paid" } },
      { name: "test/order", data: { amount: 50, kind: "free", test: true } },
      { name: "test/order", data: { amount: 11, test: false } },
      { name: "wild/anything" },
      // `!` on a missing field is an evaluation error, as in CEL: the trigger does not match.
      { name: "test/order", data: { amount: 11 } },
    ]);
    const [a, b, c, d, w, e] = sent.body.ids as [string, string, string, string, string, string];
    expect((await waitForRun(engine.url, a, "fixture-filtered")).output).toBe(50);
    expect((await waitForRun(engine.url, d, "fixture-filtered")).output).toBe(11);
    expect((await waitForRun(engine.url, w, "fixture-wildcard")).output).toBe("wild/anything");
    expect(await runsOf(engine.url, b)).toEqual([]);
    expect(await runsOf(engine.url, c)).toEqual([]);
    expect(await runsOf(engine.url, e)).toEqual([]);
  });
});

describe("flow control", () => {
  test("event id dedupe: a second event with the same id starts no run (24 h)", async () => {
    const first = await sendEvents(engine.url, [{ id: "dup-1", name: "test/dedupe" }]);
    await waitForRun(engine.url, first.body.ids[0]!, "fixture-deduped");
    const second = await sendEvents(engine.url, [{ id: "dup-1", name: "test/dedupe" }]);
    expect(second.status).toBe(200);
    expect(second.body.ids[0]).not.toBe(first.body.ids[0]); // the event itself is stored
    expect(await runsOf(engine.url, second.body.ids[0]!)).toEqual([]);
    expect(ran.get("deduped")).toBe(1);
    // Twice in one request: the second is a duplicate too.
    const both = await sendEvents(engine.url, [
      { id: "dup-2", name: "test/dedupe" },
      { id: "dup-2", name: "test/dedupe" },
    ]);
    await waitForRun(engine.url, both.body.ids[0]!, "fixture-deduped");
    expect(await runsOf(engine.url, both.body.ids[1]!)).toEqual([]);
    expect(ran.get("deduped")).toBe(2);
  });

  test("idempotency key: one run per key value", async () => {
    const sent = await sendEvents(engine.url, [
      { name: "test/idem", data: { orderId: "A" } },
      { name: "test/idem", data: { orderId: "A" } },
      { name: "test/idem", data: { orderId: "B" } },
    ]);
    const [a1, a2, b] = sent.body.ids as [string, string, string];
    await waitForRun(engine.url, a1, "fixture-idem");
    await waitForRun(engine.url, b, "fixture-idem");
    expect(await runsOf(engine.url, a2)).toEqual([]);
    expect(ran.get("idem")).toBe(2);
  });

  test("concurrency limit per key: never more than `limit` steps of one key at once", async () => {
    concurrency.max = 0;
    const sent = await sendEvents(
      engine.url,
      Array.from({ length: 4 }, () => ({ name: "test/limited", data: { userId: "u1" } })),
    );
    for (const id of sent.body.ids) await waitForRun(engine.url, id, "fixture-limited");
    expect(concurrency.max).toBe(1);
  });
});

test("two concurrency limits (per key and overall) hold together", async () => {
  const sent = await sendEvents(
    engine.url,
    ["a", "a", "b", "b", "c", "c"].map((userId) => ({ name: "test/two-limits", data: { userId } })),
  );
  for (const id of sent.body.ids) await waitForRun(engine.url, id, "fixture-two-limits");
  expect(overall.maxPerUser).toBe(1);
  expect(overall.max).toBeLessThanOrEqual(2);
});

describe("operator API", () => {
  test("runs of an event, a run with steps and attempts, 404s", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/seq", data: { n: 1 } }]);
    const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-seq");
    const list = await getJson<{ data: unknown[]; metadata: unknown }>(`${engine.url}/v1/events/${sent.body.ids[0]}/runs`);
    expect(list.body.data).toEqual([
      expect.objectContaining({ run_id: run.run_id, function_id: "fixture-seq", status: "Completed", event_id: sent.body.ids[0] }),
    ]);
    expect(run.attempts.every((a) => a.started_at <= a.ended_at)).toBe(true);
    expect((await getJson(`${engine.url}/v1/runs/nope`)).status).toBe(404);
    expect((await getJson(`${engine.url}/v1/nothing-here`)).status).toBe(404);
  });

  test("DELETE /v1/runs/:id cancels a sleeping run", async () => {
    const sent = await sendEvents(engine.url, [{ name: "test/sleep", data: { duration: "1h" } }]); // 3.6 s scaled
    const summary = await waitFor(async () => (await runsOf(engine.url, sent.body.ids[0]!)).find((r) => r.status === "Running"));
    await waitFor(async () => (await getRun(engine.url, summary.run_id)).attempts.some((a) => a.outcome === "sleep"));
    const res = await fetch(`${engine.url}/v1/runs/${summary.run_id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { status: string } }).data.status).toBe("Cancelled");
    const again = await fetch(`${engine.url}/v1/runs/${summary.run_id}`, { method: "DELETE" });
    expect(again.status).toBe(409);
  });
});
