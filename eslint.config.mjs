import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Boundaries the linter keeps (tests/lint-boundaries.test.ts plants a violation of each, so a
// rule cannot silently disappear). Flat config replaces a rule's options per file rather than
// merging them, so each block below repeats what it still needs.

/** The app's own folders and root modules: what engine/ and mail-catcher/ must never import. */
const APP = "(app|lib|inngest|components|scripts|tests|e2e|prisma|instrumentation|proxy)";

const componentsOwnNothing = {
  patterns: [
    {
      // Server actions, schemas and the action state are what a form needs; the rest of lib/ —
      // the database, queries, domain logic — is server-only. Types are fine.
      regex: "^@/lib/(?!action-state$|[\\w-]+/schemas$|[\\w-]+/actions/[\\w-]+$)",
      allowTypeImports: true,
      message:
        "components/ are presentational: from lib/ they import server actions (lib/<feature>/actions/*), schemas (lib/<feature>/schemas) and lib/action-state; anything else (the database, queries, domain logic) only with `import type`. Load data in the page and pass it as props.",
    },
    { regex: "^(\\.\\./)+lib(/|$)", allowTypeImports: true, message: "Import lib/ as @/lib/… (and see the rule on what components may import from it)." },
  ],
};

const componentNotApp = (name) => ({
  patterns: [
    { regex: "^@/", message: `${name}/ is its own component: it imports nothing from the app (no @/… imports).` },
    { regex: `^(\\.\\./)+${APP}(/|$)`, message: `${name}/ is its own component: it imports nothing from the app's folders.` },
  ],
});

/** The same, for import() and require(), which no-restricted-imports does not see. */
const dynamicAppImports = (name) =>
  ["ImportExpression > Literal.source", "CallExpression[callee.name='require'] > Literal.arguments"].flatMap((node) => [
    { selector: `${node}[value=/^@\\//]`, message: `${name}/ imports nothing from the app (no @/… imports).` },
    { selector: `${node}[value=/^(\\.\\.\\/)+${APP}(\\/|$)/]`, message: `${name}/ imports nothing from the app's folders.` },
  ]);

/**
 * Settings come from lib/env.ts (parsed and validated once); process.env is read on the allow-list
 * below only. Handing the whole environment on to a child process (`{ ...process.env, X: "1" }`)
 * reads no setting and is fine anywhere.
 */
const processEnv = [
  "MemberExpression[object.name='process'][property.name='env']:not(SpreadElement > MemberExpression)",
  "MemberExpression[object.name='process'][property.value='env']:not(SpreadElement > MemberExpression)",
  "MemberExpression[object.property.name='process'][property.name='env']:not(SpreadElement > MemberExpression)",
  "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']",
].map((selector) => ({
  selector,
  message: "Read settings from `env` in lib/env.ts. Only lib/env.ts and the entry points allowed in eslint.config.mjs read process.env.",
}));

/**
 * Who may read process.env: the env module, the command-line entry points (scripts, the engine's
 * and the mail catcher's main), tool configs, and the test setup that starts servers.
 */
const PROCESS_ENV_ALLOWED = [
  "lib/env.ts",
  "scripts/*.ts",
  "scripts/lib/stack.ts", // starts the local stack's processes with their environment
  "instrumentation.ts", // reads NEXT_RUNTIME, Next's build-time constant, so the edge bundle drops Node-only code
  "*.config.{ts,mts,mjs}",
  "tests/setup/**",
  "tests/harness/**",
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", ...processEnv],
    },
  },
  {
    // Playwright fixtures call `use()`, which is not React's hook.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // The engine's modules form a DAG: a cycle fails the lint (engine/test/units.test.ts also
    // checks type-only imports, which this rule ignores).
    files: ["engine/**/*.ts"],
    rules: { "import/no-cycle": "error" },
  },
  {
    files: ["engine/**"],
    rules: {
      "no-restricted-imports": ["error", componentNotApp("engine")],
      "no-restricted-syntax": ["error", ...processEnv, ...dynamicAppImports("engine")],
    },
  },
  {
    files: ["mail-catcher/**"],
    rules: {
      "no-restricted-imports": ["error", componentNotApp("mail-catcher")],
      "no-restricted-syntax": ["error", ...processEnv, ...dynamicAppImports("mail-catcher")],
    },
  },
  {
    // Their command-line entry points read their own settings.
    files: ["engine/main.ts"],
    rules: { "no-restricted-syntax": ["error", ...dynamicAppImports("engine")] },
  },
  {
    files: ["mail-catcher/main.ts"],
    rules: { "no-restricted-syntax": ["error", ...dynamicAppImports("mail-catcher")] },
  },
  {
    files: ["components/**"],
    rules: { "no-restricted-imports": ["error", componentsOwnNothing] },
  },
  {
    // app/ parses input, calls lib/ and renders: the Prisma client stays in lib/.
    files: ["app/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "@/lib/db", importNames: ["db", "getDb"], message: "app/ does not query: put the query in lib/<feature>/ and call it." }] },
      ],
    },
  },
  {
    files: PROCESS_ENV_ALLOWED,
    rules: { "no-restricted-syntax": "off" },
  },
  globalIgnores([".next/**", "out/**", "build/**", "next-env.d.ts", "lib/generated/**", ".data/**", "test-results/**", "playwright-report/**"]),
]);
