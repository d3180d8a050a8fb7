// Characters valid in JSON that the engine cannot keep: it stores events, step outputs and run
// results in PostgreSQL's jsonb, which refuses U+0000 (the NUL character: "unsupported Unicode
// escape sequence") and unpaired surrogates (half of an emoji, as when a string is cut inside one:
// "invalid input syntax for type json"). Inngest stores both. Before, an event holding one failed
// its whole /e/ batch with a 500, and a step returning one failed every write-back until the
// rescue cap ended the run as "the engine process died 5 times". Now both are refused by name.
// In JSON text such a character is always an escape (`\u0000`, `\ud800`…: raw, one is invalid
// JSON or invalid UTF-8), so a search of the text finds every candidate and only then is the
// value walked.

const CANDIDATE = /\\u(?:0000|d[89a-f])/i;
const UNPAIRED = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when JSON text may hold such a character (a valid pair, written as escapes, also matches). */
export function mayHoldUnstorable(jsonText: string): boolean {
  return CANDIDATE.test(jsonText);
}

export type Unstorable = { where: string; character: string };

function problem(s: string): string | null {
  if (s.includes("\0")) return "U+0000 (the NUL character)";
  if (UNPAIRED.test(s)) return "an unpaired surrogate (half of a character such as an emoji, as when a string is cut inside one)";
  return null;
}

/** Where in `value` a string or a key holds such a character ("data.name", "[2].data"), or null. */
export function unstorableIn(value: unknown): Unstorable | null {
  // Iterative: a deeply nested value must not overflow the stack.
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      const character = problem(v);
      if (character) return { where: path || "(the value)", character };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        const character = problem(k);
        if (character) return { where: at, character };
        stack.push([child, at]);
      }
    }
  }
  return null;
}

/** The refusal's wording, one for every place: what holds it, where, and what to do. */
export function unstorableRefusal(subject: string, found: Unstorable): string {
  return `${subject} holds ${found.character} at ${found.where}: this engine keeps it in PostgreSQL's jsonb, which cannot store that (Inngest can); remove it or encode the value (for example base64)`;
}
