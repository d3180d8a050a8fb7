// Inngest's request signing and signing-key handling, as inngest@4.24.0 implements them (checked
// against the SDK source; see engine/README.md "Signed mode"):
//
// - Request signature (`X-Inngest-Signature: t=<unix s>&s=<hex>`): HMAC-SHA256 keyed with the
//   signing key minus its `signkey-<env>-` prefix, as its UTF-8 bytes (not hex-decoded), over the
//   JCS-canonical (RFC 8785) JSON body followed by the decimal `t`. An empty body signs "" + t.
//   SDK: `RequestSignature#verifySignature` and `signDataWithKey` (components/InngestCommHandler.ts,
//   helpers/net.ts); the SDK canonicalises `JSON.parse(rawBody)` before it verifies, and accepts
//   |now − t| ≤ 300 s.
// - Response signature: the same HMAC over the exact response body text + t, with whichever key
//   verified the request (`getResponseSignature`).
// - Hashed key (`Authorization: Bearer …` on /fn/register and the SDK's API calls): the prefix,
//   then hex(SHA-256(hex-decoded key)) (`hashSigningKey`, helpers/strings.ts).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = /^signkey-\w+-/;
export const SIGNATURE_HEADER = "x-inngest-signature";
/** How far a signature's `t` may be from now, either way (the SDK's window). */
export const SIGNATURE_MAX_AGE_S = 300;

/** `signkey-<env>-<hex>` or bare hex, an even number of digits, at least 16 bytes. */
export function isSigningKey(key: string): boolean {
  return /^(signkey-\w+-)?([0-9a-f]{2}){16,}$/i.test(key);
}

export function removeSigningKeyPrefix(key: string): string {
  return key.replace(PREFIX, "");
}

/** The SDK's `hashSigningKey`: `<prefix>` + hex(sha256(hexDecode(key without prefix))). */
export function hashSigningKey(key: string): string {
  const prefix = PREFIX.exec(key)?.[0] ?? "";
  return prefix + createHash("sha256").update(Buffer.from(removeSigningKeyPrefix(key), "hex")).digest("hex");
}

/**
 * RFC 8785 (JCS) for JSON values: object keys sorted by UTF-16 code units, numbers and strings as
 * ECMAScript's JSON.stringify writes them, no whitespace. Written out by hand because an object
 * cannot hold integer-like keys ("10", "9") in sorted order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return canonicalJson(withToJson.toJSON());
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === "function" || typeof v === "symbol" ? "null" : canonicalJson(v))).join(",")}]`;
  }
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(",")}}`;
}

function mac(key: string, message: string, t: string): string {
  return createHmac("sha256", Buffer.from(removeSigningKeyPrefix(key), "utf8")).update(message).update(t).digest("hex");
}

/** The `X-Inngest-Signature` value for `canonicalBody` (already JCS, or "" for no body) at `nowMs`. */
export function signature(canonicalBody: string, key: string, nowMs = Date.now()): string {
  const t = String(Math.round(nowMs / 1000));
  return `t=${t}&s=${mac(key, canonicalBody, t)}`;
}

/**
 * Checks a signature header over `message` (the body as signed: canonical for requests, the exact
 * text for responses) with each key in turn; returns the key that verified, or why none did.
 */
export function verifySignature(
  header: string | null | undefined,
  message: string,
  keys: readonly string[],
  nowMs = Date.now(),
): { ok: true; key: string } | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: "no signature" };
  const params = new URLSearchParams(header);
  const t = params.get("t") ?? "";
  const s = params.get("s") ?? "";
  if (!t || !s) return { ok: false, reason: "malformed signature" };
  const ts = Number.parseInt(t, 10);
  if (!Number.isFinite(ts) || Math.abs(nowMs - ts * 1000) > SIGNATURE_MAX_AGE_S * 1000) return { ok: false, reason: "signature expired" };
  for (const key of keys) {
    const expected = Buffer.from(mac(key, message, t));
    const given = Buffer.from(s);
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { ok: true, key };
  }
  return { ok: false, reason: "invalid signature" };
}

/** Compares secrets in constant time (whatever their lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Whether a bearer token is one of the signing keys, as Inngest's API checks it (Go
 * `authn.HandleSigningKey`): the `signkey-<env>-` prefixes are ignored on both sides, and the key
 * itself or its hash (what the SDK sends) are both accepted.
 */
export function bearerMatchesKey(token: string, keys: readonly string[]): boolean {
  const given = removeSigningKeyPrefix(token.trim());
  let ok = false;
  for (const key of keys) {
    // No early exit: every key is compared, whichever matches.
    if (sameSecret(given, removeSigningKeyPrefix(key))) ok = true;
    if (sameSecret(given, removeSigningKeyPrefix(hashSigningKey(key)))) ok = true;
  }
  return ok;
}
