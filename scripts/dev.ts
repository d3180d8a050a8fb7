// npm run dev: database, migrations, engine and app, with nothing installed beyond `npm install`.
// `npm run dev -- --no-engine` leaves port 8288 to another executor, e.g. `npx inngest-cli dev`;
// `npm run dev -- --no-app-poll` keeps the engine from re-syncing the app by itself.
import { runMain } from "@signup-jobs/devkit";
import { cliOptions } from "./lib/cli";
import { LOCAL_DATA_DIR, LOCAL_PG_PORT } from "./lib/local-db";
import { startStack } from "./lib/stack";

const { flags } = cliOptions("npm run dev -- [--no-engine] [--no-app-poll]", { flags: ["no-engine", "no-app-poll"] });

await runMain(async () => {
  const stack = await startStack({
    command: "npm run dev",
    mode: "dev",
    appPort: 3000,
    enginePort: 8288,
    mailPort: 4010,
    // Resend's default pace (2 requests/s per team), so developers feel the real provider.
    mailRateLimit: "2/s",
    engine: !flags["no-engine"],
    appPoll: !flags["no-app-poll"],
    dataDir: ".data",
    pg: { dataDir: LOCAL_DATA_DIR, port: LOCAL_PG_PORT, ephemeral: false },
  });
  console.log(`\n  App:    http://localhost:3000\n  Engine: ${stack.engineUrl} (runs, events, functions, apps)\n  Inbox:  ${stack.mailUrl}\n`);
});
