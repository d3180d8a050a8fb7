// U+0000, the NUL character, is valid in JSON strings and Inngest stores it, but the engine keeps
// events, step outputs and run results in PostgreSQL's jsonb, which cannot hold it ("unsupported
// Unicode escape sequence"). Before, an event with one failed its whole /e/ batch with a 500, and
// a step returning one failed every write-back until the rescue cap ended the run as "the engine
// process died 5 times". Now both are refused by name. In JSON text a NUL is always the escape
// `\u0000` (a raw one is invalid JSON), so a cheap search of the text finds every candidate and
// only then is the value walked.

/** True when JSON text may hold U+0000 (it may also be an escaped backslash followed by "u0000"). */
export function mayHoldNul(jsonText: string): boolean {
  return jsonText.includes("\\u0000");
}

/** Where in `value` a string or a key holds U+0000 ("data.name", "[2].data"), or null. */
export function nulAt(value: unknown): string | null {
  // Iterative: a deeply nested value must not overflow the stack.
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\0")) return path || "(the value)";
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (k.includes("\0")) return at;
        stack.push([child, at]);
      }
    }
  }
  return null;
}

/** The refusal's wording, one for every place: what holds it, where, and what to do. */
export function nulRefusal(what: string, where: string): string {
  return `${what} holds U+0000 (the NUL character) at ${where}: this engine keeps it in PostgreSQL's jsonb, which cannot store that character (Inngest can); remove it or encode the value (for example base64)`;
}
