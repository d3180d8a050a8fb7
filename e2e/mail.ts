/**
 * The first link to `path` of the app in an email's plain text, as a person would copy it. Throws
 * (naming the path and showing the text) when there is none, so a test fails on the missing link
 * rather than on a later `goto(undefined)`.
 */
export function linkIn(text: string, path: string): string {
  const url = text.split(/\s+/).find((word) => word.startsWith("http") && new URL(word).pathname === path);
  if (!url) throw new Error(`no link to ${path} in the message:\n${text}`);
  return url;
}
