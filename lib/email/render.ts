import "server-only";
import type { ReactElement } from "react";

/** Email HTML from a React element: static markup, no hydration attributes. */
export async function renderEmailHtml(element: ReactElement): Promise<string> {
  const { renderToStaticMarkup } = await import("react-dom/server");
  return `<!DOCTYPE html>${renderToStaticMarkup(element)}`;
}
