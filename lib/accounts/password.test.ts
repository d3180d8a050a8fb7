import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from "@/lib/accounts/password";
import { legacyScryptHash } from "@/tests/factories";

describe("password hashing", () => {
  it("verifies the right password and rejects a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
  });

  it("stores argon2id at OWASP's floor (m=19 MiB, t=2, p=1) with a fresh salt, never the password", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("same password");
    expect(needsRehash(a)).toBe(false);
  });

  it("still verifies hashes from before argon2id, and marks them for rehashing", async () => {
    const old = legacyScryptHash("an old password");
    expect(await verifyPassword("an old password", old)).toBe(true);
    expect(await verifyPassword("an old passworD", old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
  });

  it("marks weaker argon2 parameters for rehashing", () => {
    expect(needsRehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$0Ryw1Bxtv2xEiLRVGoT3MLQSxXWmldyeOpFQIVG8NHs")).toBe(true);
    expect(needsRehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0Ryw1Bxtv2xEiLRVGoT3MLQSxXWmldyeOpFQIVG8NHs")).toBe(true);
  });

  it("treats a malformed stored hash as a mismatch", async () => {
    expect(await verifyPassword("anything", "plaintext")).toBe(false);
    expect(await verifyPassword("anything", "scrypt$1$2")).toBe(false);
    expect(await verifyPassword("anything", "$argon2id$v=19$m=19456,t=2,p=1$bad")).toBe(false);
    // A stored row cannot make a log-in allocate gigabytes.
    expect(await verifyPassword("anything", "scrypt$1073741824$8$1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA")).toBe(false);
  });

  it("normalises Unicode so the same visible password matches", async () => {
    const hash = await hashPassword("caf\u00e9-password");
    expect(await verifyPassword("cafe\u0301-password", hash)).toBe(true);
    expect(await verifyPassword("cafe\u0301-password", legacyScryptHash("caf\u00e9-password"))).toBe(true);
  });

  it("always fails against the decoy used for unknown emails", async () => {
    expect(await verifyAgainstDecoy("whatever")).toBe(false);
  });
});
