// Passwords: argon2id (OWASP's first choice) from @node-rs/argon2, a prebuilt native binary per
// platform from npm. Hashes made before it (scrypt from node:crypto) still verify, and are
// replaced on the next successful log-in (`needsRehash`).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { hash as argon2Hash, parseOptions, verify as argon2Verify, type Algorithm, type Version } from "@node-rs/argon2";

/**
 * OWASP's floor for argon2id: m = 19 MiB, t = 2, p = 1. Stored in PHC form
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), which names the algorithm and its parameters,
 * so they can be raised later and every older hash still verifies (and is upgraded at log-in).
 */
export const ARGON2_PARAMS = {
  // The package's types are `const enum`s, which isolatedModules cannot read: their values.
  algorithm: 2 as Algorithm, // Argon2id
  version: 1 as Version, // 0x13
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

/** Passwords are compared as the same visible characters, whatever the keyboard's composition. */
const normalise = (password: string) => password.normalize("NFKC");

/** Format: PHC argon2id with its parameters and a fresh 16-byte salt. */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(normalise(password), ARGON2_PARAMS);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith("$argon2")) {
    try {
      return await argon2Verify(stored, normalise(password));
    } catch {
      return false; // malformed stored value
    }
  }
  if (stored.startsWith("scrypt$")) return verifyLegacyScrypt(password, stored);
  return false;
}

/** True when a stored hash is not argon2id at today's parameters: hash the password again. */
export function needsRehash(stored: string): boolean {
  if (!stored.startsWith("$argon2id$")) return true;
  try {
    const options = parseOptions(stored);
    return (
      options.memoryCost < ARGON2_PARAMS.memoryCost ||
      options.timeCost < ARGON2_PARAMS.timeCost ||
      options.parallelism !== ARGON2_PARAMS.parallelism ||
      options.version !== ARGON2_PARAMS.version ||
      options.outputLen < ARGON2_PARAMS.outputLen
    );
  } catch {
    return true;
  }
}

// --- Before argon2id: `scrypt$N$r$p$salt$hash` (base64url), N=2^14, r=8, p=1. Verify only. ------

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(normalise(password), salt, length, { ...options, maxmem: 256 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

async function verifyLegacyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split("$");
  const N = Number(n);
  const [R, P] = [Number(r), Number(p)];
  // Only the shapes this app ever wrote: a forged row must not make a log-in allocate gigabytes.
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 17 || (N & (N - 1)) !== 0 || !(R >= 1 && R <= 16) || !(P >= 1 && P <= 4) || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  if (expected.length < 16) return false;
  try {
    const actual = await derive(password, Buffer.from(salt, "base64url"), { N, r: R, p: P }, expected.length);
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

// Checked against when the email is unknown, so both failures take the same time.
let decoy: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await decoy);
  return false;
}
