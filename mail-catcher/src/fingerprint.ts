import { createHash } from "node:crypto";

/**
 * A stable digest of a request, so "same payload" means the same JSON value whatever the key
 * order or whitespace the client produced.
 */
export function fingerprint(parts: readonly string[], body: unknown): string {
  return createHash("sha256").update(JSON.stringify([parts, canonical(body)])).digest("hex");
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, canonical(obj[k])]),
    );
  }
  return value;
}
