// Fixed ports for the end-to-end stack, away from `npm run dev` (3000, 8288, 4010, 54329).
export const E2E = {
  appPort: 3100,
  enginePort: 8388,
  mailPort: 4110,
  pgPort: 54340,
  get databaseUrl() {
    return `postgresql://postgres:postgres@127.0.0.1:${this.pgPort}/app`;
  },
} as const;
