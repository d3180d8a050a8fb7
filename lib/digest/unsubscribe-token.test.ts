import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createUnsubscribeToken, UNSUBSCRIBE_TOKEN_TTL_DAYS, verifyUnsubscribeToken } from "@/lib/digest/unsubscribe-token";

describe("unsubscribe tokens", () => {
  const userId = randomUUID();
  const issued = new Date("2026-11-30T00:00:00Z");

  it("round-trips the user id until it expires", () => {
    const token = createUnsubscribeToken(userId, issued);
    expect(verifyUnsubscribeToken(token, new Date("2026-12-15T00:00:00Z"))).toEqual({ ok: true, userId });
    const after = new Date(issued.getTime() + UNSUBSCRIBE_TOKEN_TTL_DAYS * 86_400_000 + 1000);
    expect(verifyUnsubscribeToken(token, after)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a changed payload, a changed signature and junk", () => {
    const token = createUnsubscribeToken(userId, issued);
    const [body, signature] = token.split(".") as [string, string];
    const other = Buffer.from(JSON.stringify({ u: randomUUID(), exp: 9_999_999_999 })).toString("base64url");
    expect(verifyUnsubscribeToken(`${other}.${signature}`, issued)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyUnsubscribeToken(`${body}.${signature.slice(0, -2)}AA`, issued)).toEqual({ ok: false, reason: "bad-signature" });
    for (const junk of [null, "", "abc", "a.b.c", `${body}.`, "x".repeat(600)]) {
      expect(verifyUnsubscribeToken(junk, issued).ok).toBe(false);
    }
  });
});
