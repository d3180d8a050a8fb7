import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe: the value that goes into the cookie. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Only this digest is stored; a copy of the sessions table cannot be replayed as cookies. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
