// The boundaries eslint.config.mjs keeps, checked by planting a violation of each in a file where
// it is not allowed (and the same code where it is): if a rule is dropped or loosened, this fails.
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const BOUNDARY_RULES = new Set(["no-restricted-imports", "no-restricted-syntax"]);

let eslint: ESLint;
beforeAll(() => {
  // import/no-cycle (engine/) resolves the linted file on disk, and these planted files do not
  // exist; the cycle rule has its own check in engine/test/units.test.ts.
  eslint = new ESLint({ cwd: root, overrideConfig: { rules: { "import/no-cycle": "off" } } });
});

/** The boundary messages ESLint reports for `code` as if it were the file at `filePath`. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result!.messages.filter((m) => m.ruleId && BOUNDARY_RULES.has(m.ruleId) && m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe("engine/ and mail-catcher/ import nothing from the app", () => {
  it.each([
    ["engine/src/planted.ts", `import { db } from "@/lib/db";\nexport const x = db;`],
    ["engine/src/planted.ts", `import { env } from "../../lib/env";\nexport const x = env;`],
    ["engine/main.ts", `import { inngest } from "../inngest/client";\nexport const x = inngest;`],
    ["engine/test/planted.test.ts", `export { makeUser } from "../../tests/factories";`],
    ["engine/test/planted.test.ts", `export const load = () => import("../../scripts/lib/stack");`],
    ["engine/src/planted.ts", `export const load = () => import("@/app/api/inngest/route");`],
    ["mail-catcher/src/planted.ts", `import { sendEmail } from "@/lib/email/mailer";\nexport const x = sendEmail;`],
    ["mail-catcher/src/planted.ts", `import { SiteHeader } from "../../components/site-header";\nexport const x = SiteHeader;`],
    ["mail-catcher/main.ts", `export const load = () => import("../lib/logger");`],
  ])("%s: %s", async (file, code) => {
    const errors = await boundaryErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/imports nothing from the app/);
  });

  it("may import its own modules and npm packages", async () => {
    expect(await boundaryErrors("engine/src/planted.ts", `import { z } from "zod";\nimport { startEngine } from "../index";\nimport { log } from "./log";\nexport const x = [z, startEngine, log];`)).toEqual([]);
    expect(await boundaryErrors("mail-catcher/test/planted.test.ts", `import { Resend } from "resend";\nimport { startMailCatcher } from "../index";\nexport const x = [Resend, startMailCatcher];`)).toEqual([]);
  });
});

describe("components/ load no data", () => {
  it.each([
    `import { db } from "@/lib/db";\nexport const x = db;`,
    `import { listDeadLetters } from "@/lib/dead-letters/queries";\nexport const x = listDeadLetters;`,
    `import { getSetupStatus } from "@/lib/accounts/setup-status";\nexport const x = getSetupStatus;`,
    `import { Role } from "@/lib/generated/prisma/client";\nexport const x = Role;`,
    `import { db } from "../../lib/db";\nexport const x = db;`,
  ])("%s", async (code) => {
    const errors = await boundaryErrors("components/admin/planted.tsx", code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no-restricted-imports: .*(components\/ are presentational|Import lib\/ as @\/lib)/);
  });

  it("may import types, server actions, schemas and the action state", async () => {
    const code = [
      `import type { SetupStatus } from "@/lib/accounts/setup-status";`,
      `import type { DeadLetterRow } from "@/lib/dead-letters/queries";`,
      `import { signUpAction } from "@/lib/accounts/actions/sign-up";`,
      `import { NAME_MAX } from "@/lib/accounts/schemas";`,
      `import { initialActionState } from "@/lib/action-state";`,
      `export type T = [SetupStatus, DeadLetterRow];`,
      `export const x = [signUpAction, NAME_MAX, initialActionState];`,
    ].join("\n");
    expect(await boundaryErrors("components/auth/planted.tsx", code)).toEqual([]);
  });
});

describe("app/ does not query", () => {
  it("may not use the Prisma client", async () => {
    const errors = await boundaryErrors("app/unsubscribe/planted.ts", `import { db } from "@/lib/db";\nexport const x = db;`);
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-imports: .*app\/ does not query/)]);
  });

  it("calls lib/ instead", async () => {
    expect(await boundaryErrors("app/api/health/planted.ts", `import { checkDatabase } from "@/lib/db";\nexport const x = checkDatabase;`)).toEqual([]);
  });
});

describe("process.env is read in lib/env.ts and the allowed entry points only", () => {
  const reads = [
    `export const url = process.env.DATABASE_URL;`,
    `export const url = process["env"].DATABASE_URL;`,
    `const { env } = process;\nexport const url = env.DATABASE_URL;`,
    `export const url = globalThis.process.env.DATABASE_URL;`,
  ];

  it.each(["lib/accounts/planted.ts", "app/planted/page.tsx", "components/planted.tsx", "inngest/planted.ts", "engine/src/planted.ts", "mail-catcher/src/planted.ts", "tests/background/planted.test.ts"])(
    "%s may not",
    async (file) => {
      for (const code of reads) {
        const errors = await boundaryErrors(file, code);
        expect(errors, code).toEqual([expect.stringMatching(/^no-restricted-syntax: Read settings from `env` in lib\/env\.ts/)]);
      }
    },
  );

  it.each(["lib/env.ts", "scripts/dev.ts", "engine/main.ts", "mail-catcher/main.ts", "playwright.config.ts", "prisma.config.ts", "tests/setup/worker-env.ts"])("%s may", async (file) => {
    for (const code of reads) expect(await boundaryErrors(file, code), code).toEqual([]);
  });

  it("anyone may hand the whole environment on to a child process", async () => {
    const code = `import { spawn } from "node:child_process";\nexport const child = () => spawn("tsx", ["main.ts"], { env: { ...process.env, TOKEN: "" } });`;
    for (const file of ["e2e/fixtures.ts", "mail-catcher/test/planted.test.ts", "lib/accounts/planted.ts"]) expect(await boundaryErrors(file, code), file).toEqual([]);
    expect(await boundaryErrors("lib/accounts/planted.ts", `export const env = { ...process.env, X: process.env.X };`)).toHaveLength(1);
  });
});
