// ULIDs (time-ordered, 26 chars Crockford base32). Small enough to write rather than depend on.
import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encodeTime(ms: number): string {
  let out = "";
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  // 80 bits → 16 chars of 5 bits.
  let bits = 0n;
  for (let i = 0; i < 10; i++) bits = (bits << 8n) | BigInt(bytes[i] ?? 0);
  let out = "";
  for (let i = 0; i < 16; i++) {
    out = ALPHABET[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

export function ulid(now: number = Date.now()): string {
  return encodeTime(now) + encodeRandom(randomBytes(10));
}

/**
 * The SDK sends `x-inngest-event-id-seed: <millis>,<base64 entropy>` and reuses it when it retries
 * a send, so ids derived from (seed, index) make a retried send land on the same events (as Go does).
 */
export function seededUlid(seed: string, index: number): string | null {
  const m = /^(\d{1,15}),([A-Za-z0-9+/=]{4,64})$/.exec(seed.trim());
  if (!m) return null;
  const ms = Number(m[1]);
  const entropy = createHash("sha256").update(`${m[2]}:${index}`).digest();
  return encodeTime(ms) + encodeRandom(entropy);
}
