// npm run chaos: faults at random moments against the production stack, and the counts that must
// be zero (see scripts/lib/chaos.ts and README "Reliability"). Needs `npm run build`.
//
//   npm run chaos              the full run: 20 engine SIGKILLs during 200 sign-ups, …
//   npm run chaos -- --bounded the size `npm test` runs (e2e/chaos.spec.ts)
import { requireProductionBuild } from "./lib/stack";
import { exitOnSetupError } from "@signup-jobs/devkit";
import { BOUNDED, FULL, runChaos, table } from "./lib/chaos";
import { cliOptions } from "./lib/cli";

const { flags } = cliOptions("npm run chaos -- [--bounded] [--verbose]", { flags: ["bounded", "verbose"] });
requireProductionBuild("the chaos suite runs the production server");
const started = Date.now();
const rows = await runChaos({ size: flags.bounded ? BOUNDED : FULL, quiet: !flags.verbose }).catch(exitOnSetupError);
console.log(`\n${table(rows)}\n\n${rows.filter((r) => !r.ok).length} failed of ${rows.length} · ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(rows.every((r) => r.ok) ? 0 : 1);
