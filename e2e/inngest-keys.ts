// The e2e stack runs production for real: the app in Inngest cloud mode, the engine in signed mode,
// with keys made per run (scripts/lib/stack.ts writes them to E2E.keysFile). Specs that send
// events to the engine, read its API or call the app's /api/inngest themselves use these.
import fs from "node:fs";
import { E2E } from "./config";

export type InngestKeys = { signingKey: string; eventKey: string };

export function inngestKeys(): InngestKeys {
  let text: string;
  try {
    text = fs.readFileSync(E2E.keysFile, "utf8");
  } catch {
    throw new Error(`${E2E.keysFile} is missing: the e2e stack (scripts/e2e-server.ts) writes it at start; is an older stack still running on these ports?`);
  }
  return JSON.parse(text) as InngestKeys;
}

/** What the engine's operator API (/v1/…) needs in signed mode, as the app's dashboard sends it. */
export function engineAuth(): Record<string, string> {
  return { authorization: `Bearer ${inngestKeys().signingKey}` };
}
