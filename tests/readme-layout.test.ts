// The README's layout tables describe the tree: a folder added, moved or removed without
// updating them fails here.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

/** The first-column `folder/` names of the markdown table under the line that starts with `header`. */
function tableFolders(header: string): string[] {
  const lines = readme.split("\n");
  const start = lines.findIndex((line) => line.startsWith(header));
  expect(start, header).toBeGreaterThanOrEqual(0);
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(/^\| `([^`]+)\/` \|/.exec(line)?.[1]);
  }
  return rows.filter((r): r is string => !!r).sort();
}

/** Folders that hold files (git leaves no empty ones behind a move, but a working tree may). */
const hasFiles = (dir: string): boolean =>
  fs.readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? hasFiles(path.join(dir, e.name)) : true));

const dirs = (dir: string, ignore: string[] = []) =>
  fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !ignore.includes(e.name) && hasFiles(path.join(root, dir, e.name)))
    .map((e) => e.name)
    .sort();

describe("README layout", () => {
  it("lists every lib/ feature folder, and only those", () => {
    expect(tableFolders("| `lib/` folder |")).toEqual(dirs("lib", ["generated"]));
  });

  it("lists the project's top-level folders", () => {
    const listed = tableFolders("| folder | what is there |");
    expect(listed).toContain("docs/decisions");
    const topLevel = listed.filter((f) => !f.includes("/"));
    expect(topLevel).toEqual(dirs(".", ["node_modules", "docs", "test-results", "playwright-report", "blob-report"]));
  });

  it("names the cross-cutting lib/ modules that exist", () => {
    const row = readme.split("\n").find((line) => line.startsWith("| `lib/` |"))!;
    const modules = [...row.matchAll(/`([\w-]+\.ts)`/g)].map((m) => m[1]!).sort();
    const files = fs.readdirSync(path.join(root, "lib")).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort();
    expect(modules).toEqual(files);
  });
});
