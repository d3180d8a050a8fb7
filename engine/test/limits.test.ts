// Inngest's step limit (engine/README "Limits"): a run that has recorded the limit's number of steps
// fails on its next request, and so does a response planning more steps than the limit at once —
// with Inngest's error, at once (no retries), its onFailure handler running. Here with the limit
// at 3 (`maxSteps`, as Inngest's executor takes a per-function override); conformance.test.ts
// checks the default of 1,000.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Engine } from "../index";
import { createTestDatabase, fixtureClient, sendEvents, startFixtureApp, startTestEngine, waitFor, waitForRun, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;
const failures: { errorName: string; message: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { maxSteps: 3 });
  const inngest = fixtureClient(engine.url);
  // `n` steps one after another, or (`wide`) all at once.
  const steps = inngest.createFunction(
    {
      id: "steps",
      retries: 2,
      triggers: [{ event: "limits/steps" }],
      onFailure: async ({ error }) => {
        failures.push({ errorName: error.name, message: error.message });
      },
    },
    async ({ event, step }) => {
      const n = event.data.n as number;
      if (event.data.wide) await Promise.all(Array.from({ length: n }, (_, i) => step.run(`w${i}`, () => i)));
      else for (let i = 0; i < n; i++) await step.run(`s${i}`, () => i);
      return n;
    },
  );
  app = await startFixtureApp(inngest, [steps]);
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

  const handled = await waitFor(() => (failures.length === 2 ? failures : null), { what: "both failure handlers" });
  expect(handled).toEqual([
    { errorName: "InngestErrFunctionOverflowed", message },
    { errorName: "InngestErrFunctionOverflowed", message },
  ]);
});

test("a limit over Inngest's absolute 10,000 is refused at start", async () => {
  await expect(startTestEngine(db.url, { maxSteps: 10_001 })).rejects.toThrow(/maxSteps must be a whole number from 1 to 10000/);
});
