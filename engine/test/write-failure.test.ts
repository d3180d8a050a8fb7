// A step whose write-back the database refuses every time (here a trigger stands in for whatever
// makes it so: a constraint, a full disk) is left to its lease by the worker and rescued until the
// rescue cap. The cap then failed the run as "the engine process died N times" — a crash that
// never happened. It names what did happen: the error the write-back met.
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Engine } from "../index";
import { createTestDatabase, fixtureClient, sendEvents, startFixtureApp, startTestEngine, waitForRun, type FixtureApp } from "./helpers";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let engine: Engine;
let app: FixtureApp;
let ran = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  engine = await startTestEngine(db.url, { leaseMs: 400, maxRescues: 2 });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`
    create function refuse_poison() returns trigger language plpgsql as $$
    begin raise exception 'could not extend file: No space left on device'; end $$;
    create trigger refuse_poison before insert on steps for each row when (new.name = 'poison') execute function refuse_poison();`);
  await client.end();
  const inngest = fixtureClient(engine.url);
  const fn = inngest.createFunction({ id: "poisoned", retries: 0, triggers: [{ event: "w/poison" }] }, async ({ step }) => {
    await step.run("poison", () => {
      ran++;
      return 1;
    });
  });
  app = await startFixtureApp(inngest, [fn]);
  await engine.syncApp(app.url);
});

afterAll(async () => {
  await engine?.stop();
  await app?.close();
  await db?.drop();
});

test("a write-back refused every time fails the run at the rescue cap naming the database's error, not a process death", async () => {
  const sent = await sendEvents(engine.url, [{ name: "w/poison" }]);
  const run = await waitForRun(engine.url, sent.body.ids[0]!, "fixture-poisoned", undefined, 20_000);
  expect(run.status).toBe("Failed");
  expect(run.error).toMatchObject({ name: "StepFailedInEngine" });
  expect((run.error as { message: string }).message).toMatch(
    /^the engine could not finish the run's discovery request \(the step it ran inline\) 2 times \(its lease expired each time\); the last error: could not extend file: No space left on device\./,
  );
  expect(ran).toBe(2); // the step ran once per claim: the first and the one rescue
});
