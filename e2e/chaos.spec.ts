// The chaos suite at its bounded size (`npm run chaos` runs the full one by hand): its own
// production stack on its own ports (scripts/lib/chaos.ts), faults at random moments, and the
// counts that must be zero. No browser: it drives the app over HTTP as the suite's people do.
import { expect, test } from "@playwright/test";
import { BOUNDED, runChaos, table } from "../scripts/lib/chaos";

test("under engine and app kills, a database restart, executor and mail outages and a graceful restart: nothing lost, nothing twice", async () => {
  test.setTimeout(900_000);
  const rows = await runChaos({ size: BOUNDED, log: (line) => console.log(`[chaos] ${line}`) });
  console.log(table(rows));
  expect(rows.filter((r) => !r.ok), table(rows)).toEqual([]);
});
