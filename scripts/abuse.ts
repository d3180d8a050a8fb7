// npm run abuse: generated hostile requests against every public route, page and server action of
// the production build, and every admin one as anonymous and member callers (see
// scripts/lib/abuse.ts and README "Reliability"). Needs `npm run build`.
//
//   npm run abuse                          1,000 requests per public target (the full run)
//   npm run abuse -- --runs 60 --seed 42   smaller, or replaying one run's requests
import { requireProductionBuild } from "./lib/stack";
import { exitOnSetupError } from "@signup-jobs/devkit";
import { abuseTable, runAbuse } from "./lib/abuse";
import { cliOptions, wholeNumber } from "./lib/cli";

const { values } = cliOptions("npm run abuse -- [--runs N] [--seed S]", {
  values: { runs: wholeNumber(1).default(1000), seed: wholeNumber(0).optional() },
});
requireProductionBuild("the abuse suite runs the production server");
const started = Date.now();
const { rows, seed, total } = await runAbuse({ runs: values.runs, seed: values.seed }).catch(exitOnSetupError);
console.log(`\n${abuseTable(rows)}\n\n${total.toLocaleString("en")} requests · seed ${seed} · ${rows.filter((r) => !r.ok).length} failed of ${rows.length} · ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(rows.every((r) => r.ok) ? 0 : 1);
