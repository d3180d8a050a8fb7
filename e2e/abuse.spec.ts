// The abuse suite at its bounded size (`npm run abuse` sends 1,000 per target by hand): its own
// production stack on its own ports (scripts/lib/abuse.ts), generated hostile requests against
// every public route, page and action, and every admin one from anonymous and member callers.
import { expect, test } from "@playwright/test";
import { abuseTable, runAbuse } from "../scripts/lib/abuse";

test("hostile requests: no 5xx, every refusal a 4xx with a message, nothing leaked, admin refuses everyone else", async () => {
  test.setTimeout(900_000);
  const { rows, seed, total } = await runAbuse({ runs: 40, log: (line) => console.log(`[abuse] ${line}`) });
  const failed = rows.filter((r) => !r.ok);
  expect(failed, `${abuseTable(failed)}\n(${total} requests; replay with: npm run abuse -- --runs 40 --seed ${seed})`).toEqual([]);
});
