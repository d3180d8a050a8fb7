import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DevSetupError, resolveChromium } from "../index";

describe("which Chromium the Playwright suite uses", () => {
  it("takes CHROMIUM_PATH first", async () => {
    const fake = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chromium-")), "chrome");
    fs.writeFileSync(fake, "");
    await expect(resolveChromium({ chromiumPath: fake })).resolves.toEqual({ source: "CHROMIUM_PATH", executablePath: fake });
  });

  it("refuses a CHROMIUM_PATH that does not exist, by name", async () => {
    const error = await resolveChromium({ chromiumPath: "/nowhere/chromium" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevSetupError);
    expect((error as Error).message).toContain("CHROMIUM_PATH is set to /nowhere/chromium");
  });

  it("falls back to the Chromium inside the npm package, which runs here", async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "chromium-cache-"));
    const browser = await resolveChromium({ cacheDir, systemCandidates: [], playwrightPath: () => "/nowhere" });
    expect(browser.source).toBe("npm");
    expect(browser.executablePath.startsWith(cacheDir)).toBe(true);
    expect(fs.statSync(browser.executablePath).mode & 0o111).not.toBe(0);
    expect(browser.env?.FONTCONFIG_FILE && fs.existsSync(browser.env.FONTCONFIG_FILE)).toBe(true);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }, 60_000);
});
