// /unsubscribe: GET only shows a confirmation (mail scanners prefetch links); POST unsubscribes;
// a bad or expired link is a clear 400 page, never a 500.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GET, POST } from "@/app/unsubscribe/route";
import { db } from "@/lib/db";
import { createUnsubscribeToken } from "@/lib/digest/unsubscribe-token";
import { makeUser } from "@/tests/factories";

const url = (token?: string) => `http://localhost:3000/unsubscribe${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`;
const optedOut = async (id: string) => (await db.user.findUniqueOrThrow({ where: { id }, select: { digestOptOut: true } })).digestOptOut;
const formPost = (token: string) =>
  new Request(url(), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token }).toString() });

describe("/unsubscribe", () => {
  it("GET shows a confirmation button and changes nothing", async () => {
    const user = await makeUser();
    const token = createUnsubscribeToken(user.id);
    const response = await GET(new Request(url(token)));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Stop the weekly digest?");
    expect(html).toContain(user.email);
    expect(html).toContain(`<form action="/unsubscribe" method="post">`);
    expect(await optedOut(user.id)).toBe(false);
  });

  it("POST from the button unsubscribes", async () => {
    const user = await makeUser();
    const response = await POST(formPost(createUnsubscribeToken(user.id)));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("You&#x27;re unsubscribed");
    expect(await optedOut(user.id)).toBe(true);
  });

  it("accepts a mail client's one-click POST (RFC 8058) to the link itself", async () => {
    const user = await makeUser();
    const request = new Request(url(createUnsubscribeToken(user.id)), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect((await POST(request)).status).toBe(200);
    expect(await optedOut(user.id)).toBe(true);
  });

  it("answers 400 with a clear page for a missing, tampered, expired or unknown-user link", async () => {
    const user = await makeUser();
    const good = createUnsubscribeToken(user.id);
    const tampered = `${good.slice(0, -3)}abc`;
    const expired = createUnsubscribeToken(user.id, new Date(Date.now() - 200 * 86_400_000));
    const stranger = createUnsubscribeToken(randomUUID());
    for (const token of [undefined, "", "junk", tampered, stranger]) {
      const response = await GET(new Request(url(token)));
      expect(response.status, String(token)).toBe(400);
      expect(await response.text()).toContain("This unsubscribe link doesn&#x27;t work");
    }
    const response = await GET(new Request(url(expired)));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("The link has expired.");
    for (const token of [tampered, expired, "junk"]) expect((await POST(formPost(token))).status).toBe(400);
    expect(await optedOut(user.id)).toBe(false);
  });
});
