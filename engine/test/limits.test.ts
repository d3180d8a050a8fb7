// Inngest's step and state size limits (engine/README "Limits"): a run that has recorded the limit's
// number of steps fails on its next request, and so does a response planning more steps than the
// limit at once; a step output that would take the run's recorded outputs past the state size
// limit fails it too — with Inngest's errors, at once (no retries), the onFailure handler running.
// Here with small limits (3 steps, 64 bytes: Inngest's executor takes per-function overrides);
// conformance.test.ts checks the default step limit of 1,000.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Engine } from "../index";
import { createTestDatabase, fixtureClient, sendEvents, startFixtureApp, startTestEngine, waitFor, waitForRun, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;
const failures: { fn: string; errorName: string; message: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { maxSteps: 3, maxStateBytes: 64 });
  const inngest = fixtureClient(engine.url);
  // `n` steps one after another, or (`wide`) all at once.
  const steps = inngest.createFunction(
    {
      id: "steps",
      retries: 2,
      triggers: [{ event: "limits/steps" }],
      onFailure: async ({ error }) => {
        failures.push({ fn: "steps", errorName: error.name, message: error.message });
      },
    },
    async ({ event, step }) => {
      const n = event.data.n as number;
      if (event.data.wide) await Promise.all(Array.from({ length: n }, (_, i) => step.run(`w${i}`, () => i)));
      else for (let i = 0; i < n; i++) await step.run(`s${i}`, () => i);
      return n;
    },
  );
  // `n` steps of 20 characters each: stored as {"data":"xxxxxxxxxxxxxxxxxxxx"}, 31 bytes.
  const heavy = inngest.createFunction(
    {
      id: "heavy",
      retries: 2,
      triggers: [{ event: "limits/heavy" }],
      onFailure: async ({ error }) => {
        failures.push({ fn: "heavy", errorName: error.name, message: error.message });
      },
    },
    async ({ event, step }) => {
      for (let i = 0; i < (event.data.n as number); i++) await step.run(`h${i}`, () => "x".repeat(20));
      return "done";
    },
  );
  app = await startFixtureApp(inngest, [steps, heavy]);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await db?.drop();
});

const message = "The function run exceeded the step limit of 3 steps.";
// As Inngest fills `error`: its run validator with the Go error's text, its plan check with name: message.
const overflowed = { name: "InngestErrFunctionOverflowed", message, error: "function has too many steps" };
const overplanned = { name: "InngestErrFunctionOverflowed", message, error: `InngestErrFunctionOverflowed: ${message}` };

test("a run that has recorded the limit's steps fails on its next request, not retried, and its onFailure runs; one step fewer completes; a plan over the limit fails at once", async () => {
  const sent = await sendEvents(engine.url, [
    { name: "limits/steps", data: { n: 3 } },
    { name: "limits/steps", data: { n: 2 } },
    { name: "limits/steps", data: { n: 4, wide: true } },
  ]);
  const [atLimit, under, wide] = await Promise.all(sent.body.ids.map((id) => waitForRun(engine.url, id, "fixture-steps")));

  expect(atLimit!.status).toBe("Failed");
  expect(atLimit!.steps.map((s) => s.name)).toEqual(["s0", "s1", "s2"]);
  // retries: 2, yet one failed attempt: the limit's, after the three that recorded steps.
  expect(atLimit!.attempts.map((a) => [a.outcome, a.error])).toEqual([["ok", null], ["ok", null], ["ok", null], ["failed", overflowed]]);

  expect(under!.status).toBe("Completed");
  expect(under!.output).toBe(2);

  expect(wide!.status).toBe("Failed");
  expect(wide!.steps).toEqual([]);
  expect(wide!.attempts.map((a) => [a.outcome, a.error])).toEqual([["failed", overplanned]]);

  const handled = await waitFor(() => {
    const mine = failures.filter((f) => f.fn === "steps");
    return mine.length === 2 ? mine : null;
  }, { what: "both failure handlers" });
  expect(handled.map((f) => [f.errorName, f.message])).toEqual([
    ["InngestErrFunctionOverflowed", message],
    ["InngestErrFunctionOverflowed", message],
  ]);
});

test("a step output that would take the run's recorded outputs past the state size limit fails the run at once, and its onFailure runs; up to the limit completes", async () => {
  const sent = await sendEvents(engine.url, [
    { name: "limits/heavy", data: { n: 3 } }, // 3 × 31 = 93 bytes > 64
    { name: "limits/heavy", data: { n: 2 } }, // 62 bytes
  ]);
  const [over, fits] = await Promise.all(sent.body.ids.map((id) => waitForRun(engine.url, id, "fixture-heavy")));
  const stateMessage = "The function run exceeded the state size limit of 64 bytes.";
  expect(over!.status).toBe("Failed");
  expect(over!.steps.map((s) => s.name)).toEqual(["h0", "h1"]);
  expect(over!.attempts.map((a) => [a.outcome, a.error])).toEqual([
    ["ok", null],
    ["ok", null],
    ["failed", { name: "InngestErrStateOverflowed", message: stateMessage, error: `InngestErrStateOverflowed: ${stateMessage}` }],
  ]);
  expect(fits!.status).toBe("Completed");
  expect(fits!.output).toBe("done");
  const handled = await waitFor(() => failures.find((f) => f.fn === "heavy"), { what: "the failure handler" });
  expect([handled.errorName, handled.message]).toEqual(["InngestErrStateOverflowed", stateMessage]);
});

test("a limit over Inngest's absolute 10,000 is refused at start", async () => {
  await expect(startTestEngine(db.url, { maxSteps: 10_001 })).rejects.toThrow(/maxSteps must be a whole number from 1 to 10000/);
});
