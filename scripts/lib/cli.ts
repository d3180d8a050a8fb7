// Command-line options of the scripts (dev, bench, chaos, abuse, soak, admin:create). node:util's
// parseArgs in strict mode refuses an unknown or misspelt option by name — `npm run chaos --
// --bouned` used to start the full run (about 4 minutes), and `npm run soak -- --minute 1` a
// 5-minute one — and a zod schema refuses a bad value naming its option, before anything is started.
import { parseArgs } from "node:util";
import { z } from "zod";

/** A command line the script does not take: the message names the option or argument. */
export class CliError extends Error {}

export type CliSpec<S extends z.ZodRawShape, F extends string> = {
  /** `--name <value>` options, checked and coerced by their schemas (names as typed: "signup-every"). */
  values?: S;
  /** `--name` switches: true when given. */
  flags?: readonly F[];
  /** Words allowed as positional arguments (none by default). */
  words?: readonly string[];
  /** Options whose value a refusal never repeats (a password would land in a terminal's scrollback or a CI log). */
  secret?: readonly (keyof S & string)[];
  /**
   * An option's value when it is not given, and where that came from — an environment variable the
   * entry point read (keeps a password out of shell history): `{ password: { from: "ADMIN_PASSWORD", value } }`.
   */
  fallback?: Partial<Record<keyof S & string, { from: string; value: string | undefined }>>;
};

export type CliResult<S extends z.ZodRawShape, F extends string> = {
  values: z.output<z.ZodObject<S>>;
  flags: Record<F, boolean>;
  words: string[];
};

export function parseCli<S extends z.ZodRawShape, F extends string = never>(args: string[], spec: CliSpec<S, F>): CliResult<S, F> {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const name of Object.keys(spec.values ?? {})) options[name] = { type: "string" };
  for (const name of spec.flags ?? []) options[name] = { type: "boolean" };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: Boolean(spec.words?.length) });
  } catch (error) {
    // parseArgs names the option ("Unknown option '--bouned'", "Option '--minutes <value>' argument missing").
    throw new CliError((error as Error).message);
  }
  const stray = parsed.positionals.find((word) => !spec.words?.includes(word));
  if (stray !== undefined) throw new CliError(`Unexpected argument '${stray}'`);

  const strings: Record<string, string> = Object.fromEntries(Object.entries(parsed.values).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const fellBack = new Map<string, string>();
  for (const [name, { from, value }] of Object.entries(spec.fallback ?? {}) as [string, { from: string; value: string | undefined }][]) {
    if (strings[name] === undefined && value) {
      strings[name] = value;
      fellBack.set(name, from);
    }
  }
  const checked = z.object(spec.values ?? ({} as S)).safeParse(strings);
  if (!checked.success) {
    const refusal = (issue: z.core.$ZodIssue) => {
      const name = String(issue.path[0]);
      const source = fellBack.has(name) ? ` (from ${fellBack.get(name)})` : "";
      const got = spec.secret?.includes(name as keyof S & string) || strings[name] === undefined ? "" : ` (got ${JSON.stringify(strings[name])})`;
      return `--${name}${source}: ${issue.message}${got}`;
    };
    throw new CliError(checked.error.issues.map(refusal).join("\n"));
  }
  const flags = Object.fromEntries((spec.flags ?? []).map((name) => [name, parsed.values[name] === true])) as Record<F, boolean>;
  return { values: checked.data, flags, words: parsed.positionals };
}

/** parseCli on this process's arguments; a refused command line prints why and the usage, and exits 2. */
export function cliOptions<S extends z.ZodRawShape, F extends string = never>(usage: string, spec: CliSpec<S, F>, args = process.argv.slice(2)): CliResult<S, F> {
  try {
    return parseCli(args, spec);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    process.stderr.write(`${error.message}\n\nusage: ${usage}\n`);
    process.exit(2);
  }
}

/** `--name N`: a whole number, at least `min`. */
export const wholeNumber = (min: number) =>
  z.coerce.number({ error: "must be a number" }).int({ error: "must be a whole number" }).min(min, { error: `must be at least ${min}` });

/** `--name X`: a number above 0 (fractions allowed). */
export const positiveNumber = () => z.coerce.number({ error: "must be a number" }).positive({ error: "must be more than 0" });
