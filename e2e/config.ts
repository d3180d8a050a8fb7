// Fixed ports for the end-to-end stack, away from `npm run dev` (3000, 8288, 4010, 54329).
export const E2E = {
  appPort: 3100,
  enginePort: 8388,
  mailPort: 4110,
  pgPort: 54340,
  /** The stack's files, mail and database; emptied at each start. */
  dataDir: ".data/e2e",
  /**
   * The Inngest keys the stack made for this run (`{signingKey, eventKey}`): the app runs in cloud
   * mode against the engine in signed mode, and specs that call the engine or the app's
   * /api/inngest themselves read them here (e2e/inngest-keys.ts).
   */
  keysFile: ".data/e2e/inngest-keys.json",
  get databaseUrl() {
    return `postgresql://postgres:postgres@127.0.0.1:${this.pgPort}/app`;
  },
} as const;
