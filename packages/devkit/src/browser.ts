// The Chromium the Playwright suites drive. Playwright cannot download its own browser on machines
// that reach only the npm registry, so the browser comes like every other dependency, in this order:
//   1. CHROMIUM_PATH, when set (must exist);
//   2. a system Chromium (Debian's `chromium` package and friends);
//   3. Playwright's own browser, where `npx playwright install chromium` could run;
//   4. the headless Chromium shipped inside the @sparticuz/chromium npm package, unpacked once
//      into node_modules/.cache (about 1 s) — what a fresh machine with only Node and npm gets.
// See docs/decisions/2026-11-30-test-browser.md.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { DevSetupError } from "./errors";

export type ResolvedBrowser = {
  source: "CHROMIUM_PATH" | "system" | "playwright" | "npm";
  executablePath: string;
  /** Extra environment for the browser process (fonts for the npm build). */
  env?: Record<string, string>;
};

const SYSTEM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium", "/snap/bin/chromium"];

export async function resolveChromium(
  options: { chromiumPath?: string; systemCandidates?: string[]; playwrightPath?: () => string; cacheDir?: string } = {},
): Promise<ResolvedBrowser> {
  if (options.chromiumPath) {
    if (!fs.existsSync(options.chromiumPath)) {
      throw new DevSetupError(`CHROMIUM_PATH is set to ${options.chromiumPath}, which does not exist. Unset it to use the browser from npm.`);
    }
    return { source: "CHROMIUM_PATH", executablePath: options.chromiumPath };
  }
  const system = (options.systemCandidates ?? SYSTEM_CANDIDATES).find((candidate) => fs.existsSync(candidate));
  if (system) return { source: "system", executablePath: system };

  const playwright = safely(options.playwrightPath);
  if (playwright && fs.existsSync(playwright)) return { source: "playwright", executablePath: playwright };

  return unpackNpmChromium(options.cacheDir ?? path.resolve("node_modules/.cache/chromium"));
}

function safely(fn: (() => string) | undefined) {
  try {
    return fn?.();
  } catch {
    return undefined;
  }
}

/** Unpacks @sparticuz/chromium's brotli-packed browser and fonts, atomically (a half-written binary is never reused). */
async function unpackNpmChromium(cacheRoot: string): Promise<ResolvedBrowser> {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    // The package exports only its entry (build/index.js); its package.json sits one level up.
    packageJson = path.join(path.dirname(require.resolve("@sparticuz/chromium")), "..", "package.json");
  } catch {
    throw new DevSetupError("No Chromium found: set CHROMIUM_PATH, install a system Chromium, or run `npm install` (it brings @sparticuz/chromium).");
  }
  const { version } = JSON.parse(fs.readFileSync(packageJson, "utf8")) as { version: string };
  const bin = path.join(path.dirname(packageJson), "bin");
  const dir = path.join(cacheRoot, version);
  const executablePath = path.join(dir, "chromium");
  const fontConfig = path.join(dir, "fonts.conf");

  if (!fs.existsSync(executablePath) || !fs.existsSync(fontConfig)) {
    const staging = `${dir}.${process.pid}.tmp`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    await pipeline(fs.createReadStream(path.join(bin, "chromium.br")), zlib.createBrotliDecompress(), fs.createWriteStream(path.join(staging, "chromium"), { mode: 0o755 }));
    const tar = zlib.brotliDecompressSync(fs.readFileSync(path.join(bin, "fonts.tar.br")));
    extractTar(tar, staging);
    // The package's own fonts.conf points at /tmp/fonts; ours points at this copy, after the
    // system's fonts when the machine has any.
    fs.writeFileSync(
      path.join(staging, "fonts.conf"),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${path.join(dir, "fonts")}</dir>\n  <cachedir>${path.join(dir, "fonts-cache")}</cachedir>\n</fontconfig>\n`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      fs.renameSync(staging, dir);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another process unpacked it first
    }
  }
  const check = spawnSync(executablePath, ["--version"], { encoding: "utf8" });
  if (check.status !== 0) {
    throw new DevSetupError(`The npm Chromium at ${executablePath} does not run here (${(check.stderr || String(check.error)).trim().split("\n")[0]}). Set CHROMIUM_PATH to a Chromium for this machine.`);
  }
  return { source: "npm", executablePath, env: { FONTCONFIG_FILE: fontConfig } };
}

/** Enough of ustar for a trusted archive of plain files and directories (the package's fonts). */
function extractTar(archive: Buffer, into: string) {
  for (let offset = 0; offset + 512 <= archive.length; ) {
    const header = archive.subarray(offset, offset + 512);
    const name = header.toString("utf8", 0, 100).replace(/\0.*$/s, "");
    if (!name) break;
    const prefix = header.toString("utf8", 345, 500).replace(/\0.*$/s, "");
    const size = parseInt(header.toString("utf8", 124, 136).replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const target = path.resolve(into, prefix ? `${prefix}/${name}` : name);
    if (!target.startsWith(path.resolve(into) + path.sep)) throw new Error(`unsafe path in archive: ${name}`);
    if (type === "5") fs.mkdirSync(target, { recursive: true });
    else if (type === "0" || type === "\0") {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, archive.subarray(offset + 512, offset + 512 + size));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
}
