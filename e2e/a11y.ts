// The shared quality bars, as checks any spec can run on the page it is on: no horizontal page
// scroll (wide tables scroll inside their box), one heading hierarchy, and axe with WCAG 2.0/2.1/2.2
// A and AA plus best practices — target-size included.
// The `expect…` checks are soft, so one test that walks every page reports every page's problems
// at once; `expectNoAxeViolations` and `expectFitsWidth` are the hard ones, for a spec that stops
// at the first page that fails.
import fs from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "@playwright/test";
import { expect } from "./fixtures";

/** WCAG 2.0/2.1/2.2 A and AA plus axe's best practices. */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

// Evaluated through the DevTools protocol, so a page's Content-Security-Policy does not block it.
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

type Violation = { id: string; impact: string | null; help: string; nodes: string[] };

export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
  }, AXE_TAGS);
}

export async function expectAccessible(page: Page) {
  expect.soft(await axeViolations(page), `axe on ${page.url()}`).toEqual([]);
}

/** How wide the page is against the viewport, and the outermost elements that reach past its right edge. */
async function pageWidth(page: Page): Promise<{ scrollWidth: number; innerWidth: number; wide: string[] }> {
  return page.evaluate(() => {
    // The outermost elements that reach past the right edge, to say what overflows.
    const wide: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      if (el.getBoundingClientRect().right <= window.innerWidth + 0.5) continue;
      let p = el.parentElement;
      let inside = false;
      for (; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden") inside = true;
      }
      if (!inside) wide.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${[...el.classList].slice(0, 4).join(".")} → ${Math.round(el.getBoundingClientRect().right)}`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide: wide.slice(0, 5) };
  });
}

export async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, innerWidth, wide } = await pageWidth(page);
  expect.soft(scrollWidth, `page width at ${innerWidth} px on ${page.url()}: ${wide.join("; ")}`).toBeLessThanOrEqual(innerWidth);
}

/** The page scrolls only vertically: nothing is wider than the viewport (a hard check). */
export async function expectFitsWidth(page: Page, what = page.url()) {
  const { scrollWidth, innerWidth, wide } = await pageWidth(page);
  expect(scrollWidth, `page width at ${innerWidth} px on ${what}: ${wide.join("; ")}`).toBeLessThanOrEqual(innerWidth);
}

/** No axe violations (a hard check): each one's rule, help text and up to five of its elements. */
export async function expectNoAxeViolations(page: Page, what = page.url()) {
  expect(await axeViolations(page), `axe violations on ${what}`).toEqual([]);
}

export async function expectOneH1(page: Page) {
  await expect.soft(page.locator("h1"), `one <h1> on ${page.url()}`).toHaveCount(1);
}

/** Wherever the page tells someone to log in, they can do it from there: every "log in" is in a link (or a button, or the page's heading). */
export async function expectLogInIsALink(page: Page) {
  const loose = await page.evaluate(() => {
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? "";
      if (!/\blog in\b/i.test(text)) continue;
      // A heading that says "Log in" names the page it is on; the rest asks the reader to go there.
      if (node.parentElement?.closest("a, button, h1, h2, h3, h4, h5, h6, script, style, template, [hidden]")) continue;
      found.push(text.trim());
    }
    return found;
  });
  expect.soft(loose, `"log in" outside a link on ${page.url()}`).toEqual([]);
}

/** The page names an icon that the server serves as an image. */
export async function expectFavicon(page: Page) {
  const href = await page.locator('head link[rel="icon"]').first().getAttribute("href");
  expect.soft(href, `a <link rel="icon"> on ${page.url()}`).toBeTruthy();
  if (!href) return;
  const response = await page.request.get(new URL(href, page.url()).toString());
  expect.soft(response.status(), `the icon ${href}`).toBe(200);
  expect.soft(response.headers()["content-type"] ?? "", `the icon ${href}`).toMatch(/^image\//);
}
