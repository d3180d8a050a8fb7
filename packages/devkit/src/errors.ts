/**
 * A local set-up problem the person can fix (a port taken, no postgres user, a missing browser).
 * Entry points print its message as one line and exit 1 — never a stack trace.
 */
export class DevSetupError extends Error {
  override name = "DevSetupError";
}

/** For a CLI's top level: a DevSetupError becomes one line on stderr and exit code 1; anything else is rethrown. */
export function exitOnSetupError(error: unknown): never {
  if (error instanceof DevSetupError) {
    process.stderr.write(`\n✖ ${error.message}\n\n`);
    process.exit(1);
  }
  throw error;
}

/** Runs a CLI's main function with `exitOnSetupError`. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  await main().catch(exitOnSetupError);
}
