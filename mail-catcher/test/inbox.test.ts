import { describe, expect, it } from "vitest";
import { escapeHtml } from "../src/inbox-html";
import { FROM, raw, startTestCatcher } from "./helpers";

const EVIL = `<img src=x onerror="alert(1)"><script>alert('xss')</script>&amp;`;

describe("inbox pages", () => {
  it("escapes untrusted subjects and addresses on the list and message pages", async () => {
    const { catcher, resend } = await startTestCatcher();
    const { data } = await resend.emails.send({
      from: `"<b>Evil</b>" <evil@example.com>`,
      to: "victim@example.com",
      subject: EVIL,
      html: `<p>hi</p><script>alert("in body")</script>`,
      text: "</pre><script>alert(2)</script>",
      headers: { "X-Evil": `"><script>alert(3)</script>` },
    });
    const list = await raw(catcher, "/", { method: "GET" });
    const page = await raw(catcher, `/messages/${data?.id}`, { method: "GET" });

    for (const html of [list.text, page.text]) {
      expect(html).not.toContain("<script>");
      expect(html).not.toContain("<img");
      expect(html).not.toContain("<b>Evil");
      expect(html).toContain(escapeHtml(EVIL));
    }
    // The email HTML is only inside a sandboxed srcdoc, attribute-escaped.
    expect(page.text).toContain(`sandbox="" referrerpolicy="no-referrer" srcdoc="${escapeHtml(`<p>hi</p><script>alert("in body")</script>`)}"`);
    expect(page.text).toContain(escapeHtml("</pre><script>alert(2)</script>"));
    expect(page.headers.get("content-security-policy")).toContain("script-src 'none'");
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  });

  it("lists newest first, filters by ?to=, and answers 404 for unknown messages", async () => {
    const { catcher, resend } = await startTestCatcher();
    for (const subject of ["first", "second", "third"]) {
      await resend.emails.send({ from: FROM, to: subject === "second" ? "other@example.com" : "me@example.com", subject, text: "t" });
    }
    const all = (await raw(catcher, "/", { method: "GET" })).text;
    expect(all.indexOf(">third<")).toBeLessThan(all.indexOf(">second<"));
    expect(all.indexOf(">second<")).toBeLessThan(all.indexOf(">first<"));
    const mine = (await raw(catcher, "/?to=me@example.com", { method: "GET" })).text;
    expect(mine).toContain(">first<");
    expect(mine).not.toContain(">second<");
    expect((await raw(catcher, "/messages/nope", { method: "GET" })).status).toBe(404);
    expect((await raw(catcher, "/nowhere", { method: "GET" })).status).toBe(404);
  });
});

describe("escapeHtml", () => {
  it("escapes the five HTML-special characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});
