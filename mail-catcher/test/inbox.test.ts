import { describe, expect, it } from "vitest";
import { escapeHtml, renderInbox, renderMessage, renderNotFound, renderTokenRequired } from "../src/inbox-html";
import type { StoredMessage } from "../src/types";
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

describe("inbox page structure (the 390 px and axe checks run in the Playwright suite)", () => {
  const message = (over: Partial<StoredMessage> = {}): StoredMessage => ({
    id: "3f1c3c4e-0000-4000-8000-000000000001",
    object: "email",
    created_at: "2026-11-29T12:00:00.000Z",
    from: "Acme <noreply@acme.test>",
    to: ["a-very-long-local-part-without-breaks@subdomain.of.a.rather.long-domain-name.example.com"],
    cc: [],
    bcc: [],
    reply_to: [],
    subject: "Welcome",
    html: "<table width=900><tr><td>wide</td></tr></table>",
    text: "Hello",
    headers: { "X-Entity-Ref-ID": "user-42" },
    tags: [{ name: "category", value: "welcome" }],
    scheduled_at: null,
    topic_id: null,
    template: null,
    attachments: [],
    idempotency_key: "welcome/user-42",
    endpoint: "/emails",
    batch_index: null,
    ...over,
  });
  const count = (html: string, needle: RegExp) => html.match(needle)?.length ?? 0;

  function expectPageShell(html: string) {
    expect(html.startsWith("<!doctype html>\n<html lang=\"en\">")).toBe(true);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(count(html, /<h1[ >]/g)).toBe(1);
    expect(count(html, /<main>/g)).toBe(1);
    expect(html).toContain('<header class="banner"><a href="/">Mail catcher</a>');
    // No external assets and no scripts: one inline stylesheet is all.
    expect(html).not.toMatch(/<script|<link |src="https?:|url\(/i);
    // Nothing in the stylesheet is wider than a 390 px phone, and long text may break anywhere.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    for (const px of style.match(/\d+px/g) ?? []) expect(parseInt(px, 10), px).toBeLessThanOrEqual(16);
    expect(style).not.toContain("nowrap");
    expect(style).toContain("overflow-wrap:anywhere");
  }

  it("lists messages as a labelled list with a labelled filter", () => {
    const html = renderInbox([message(), message({ id: "3f1c3c4e-0000-4000-8000-000000000002", subject: "" })], null);
    expectPageShell(html);
    expect(html).toContain("<h1>Inbox</h1>");
    expect(html).toContain('<form class="filter" method="get" action="/" role="search" aria-label="Messages">');
    expect(html).toContain('<label for="to">Recipient address</label>');
    expect(html).toContain('<input id="to" name="to"');
    expect(html).toContain('<button type="submit">Filter</button>');
    expect(html).toContain('<ol class="messages" aria-label="Messages, newest first">');
    expect(count(html, /<li data-message-id=/g)).toBe(2);
    expect(html).toContain('<a class="subject" href="/messages/3f1c3c4e-0000-4000-8000-000000000001">Welcome</a>');
    expect(html).toContain(">(no subject)</a>");
    expect(count(html, /<dt>To<\/dt>/g)).toBe(2);
    expect(html).toContain('<dt>Received</dt><dd><time datetime="2026-11-29T12:00:00.000Z">2026-11-29 12:00:00 UTC</time></dd>');
    expect(html).toContain("2 messages, newest first.");
  });

  it("keeps the filter in the heading, the field and the refresh link, and says when nothing matches", () => {
    const html = renderInbox([], "x+1@example.com");
    expectPageShell(html);
    expect(html).toContain("<h1>Inbox for x+1@example.com</h1>");
    expect(html).toContain('value="x+1@example.com"');
    expect(html).toContain('<a href="/?to=x%2B1%40example.com">Refresh</a>');
    expect(html).toContain('<a href="/">Show all messages</a>');
    expect(html).toContain('<p class="empty">No messages to this address yet.</p>');
    expect(html).not.toContain("<ol");
  });

  it("shows a message with navigation, a header list, the sandboxed HTML part, its source and the text part", () => {
    const html = renderMessage(message({ batch_index: 3 }));
    expectPageShell(html);
    expect(html).toContain('<nav aria-label="Message">');
    expect(html).toContain('<a href="/">← Back to the inbox</a>');
    expect(html).toContain("<h1>Welcome</h1>");
    expect(count(html, /<h2>/g)).toBe(3);
    expect(html).toContain('<dl class="fields">');
    expect(html).toContain("<div><dt>Header X-Entity-Ref-ID</dt><dd>user-42</dd></div>");
    expect(html).toContain("<div><dt>Batch index</dt><dd>3</dd></div>");
    expect(html).toContain('<iframe title="HTML part of the email" sandbox="" referrerpolicy="no-referrer" srcdoc="&lt;table width=900&gt;');
    expect(html).toContain("<details>\n<summary>HTML source</summary>\n<pre>&lt;table width=900&gt;");
    expect(html).toContain("<h2>Text part</h2>\n<pre>Hello</pre>");

    const textOnly = renderMessage(message({ html: null }));
    expect(textOnly).not.toContain("<iframe");
    expect(count(textOnly, /<h2>/g)).toBe(2);
  });

  it("renders the not-found and token pages with one heading and labelled fields", () => {
    expectPageShell(renderNotFound());
    const token = renderTokenRequired("/messages/x", "missing");
    expectPageShell(token);
    expect(token).toContain('<form class="filter" method="get" action="/messages/x">');
    expect(token).toContain('<label for="token">Token</label>');
    expect(token).toContain('<input id="token" name="token" type="password"');
    expect(renderTokenRequired("/", "wrong")).toContain('role="alert"');
  });
});
