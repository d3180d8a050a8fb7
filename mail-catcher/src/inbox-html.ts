// Server-rendered inbox for people. Every value shown comes from the app under test (or from
// whoever can reach the port), so all of it goes through `escapeHtml`, and email HTML is only
// ever shown inside `<iframe sandbox="" srcdoc="…">`: no scripts, no same-origin access.
import type { StoredMessage } from "./types";

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

// One small stylesheet, no external assets. Mobile first: every page fits 390 px without
// sideways page scrolling; long addresses, ids and header values wrap inside their own boxes, and
// the email's own HTML scrolls inside its frame. Colours keep text at ≥ 4.5:1 and borders of
// controls at ≥ 3:1; focus is always visible.
const STYLE = `
*,*::before,*::after{box-sizing:border-box}
html{color-scheme:light;-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#f6f8fa}
a{color:#0550ae}
a:hover{color:#033d8b}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.banner{background:#24292f;color:#fff;padding:.25rem 1rem;display:flex;flex-wrap:wrap;gap:0 1rem;align-items:baseline}
.banner a{color:#fff;font-weight:600;text-decoration:none;display:inline-block;padding:.375rem 0}
.banner a:hover{text-decoration:underline}
.banner a:focus-visible{outline-color:#fff}
.banner p{margin:0;color:#d0d7de;font-size:.875rem}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.125rem;line-height:1.3;margin:1.75rem 0 .5rem}
p{margin:0 0 1rem}
.filter{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0 0 1rem}
.filter div{display:flex;flex-direction:column;flex:1 1 14rem;min-width:0;max-width:28rem}
.filter label{font-weight:600}
input,button{font:inherit}
input{padding:.375rem .5rem;border:1px solid #6e7781;border-radius:6px;background:#fff;color:#1f2328;width:100%;min-width:0}
button{padding:.375rem 1rem;border:1px solid #1f2328;border-radius:6px;background:#1f2328;color:#fff;cursor:pointer}
button:hover{background:#32383f}
.links{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0 0 .5rem;padding:0}
.links a{display:inline-block;padding:.125rem 0}
.count{color:#424a53}
.messages{list-style:none;margin:0;padding:0;background:#fff;border:1px solid #d0d7de;border-radius:6px}
.messages li{padding:.625rem .875rem;border-top:1px solid #d0d7de;min-width:0}
.messages li:first-child{border-top:0}
.subject{display:block;font-weight:600;padding:.125rem 0;overflow-wrap:anywhere}
.meta{display:flex;flex-wrap:wrap;gap:0 1.5rem;margin:.125rem 0 0;color:#424a53;font-size:.875rem}
.meta div{display:flex;gap:.375rem;min-width:0;max-width:100%}
.meta dt{font-weight:600;flex:none}
.meta dd{margin:0;min-width:0;overflow-wrap:anywhere}
.empty{color:#424a53;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem}
.fields{display:grid;grid-template-columns:minmax(0,1fr);margin:0;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.5rem .875rem}
.fields div{display:grid;grid-template-columns:minmax(0,1fr);padding:.375rem 0;border-top:1px solid #eaeef2;min-width:0}
.fields div:first-child{border-top:0}
.fields dt{font-weight:600;overflow-wrap:anywhere}
.fields dd{margin:0;overflow-wrap:anywhere;min-width:0}
@media (min-width:40rem){
.fields div{grid-template-columns:minmax(7rem,14rem) minmax(0,1fr);gap:1rem}
}
iframe{display:block;width:100%;height:28rem;border:1px solid #d0d7de;border-radius:6px;background:#fff}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.75rem .875rem;font:.875rem/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
details{margin-top:.75rem}
summary{cursor:pointer;padding:.25rem 0;color:#0550ae;font-weight:600}
details pre{margin-top:.5rem}
.notice{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.75rem .875rem}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Mail catcher</title>
<style>${STYLE}</style>
</head>
<body>
<header class="banner"><a href="/">Mail catcher</a><p>Local Resend-compatible inbox</p></header>
<main>
${body}
</main>
</body>
</html>`;
}

/** `2026-11-29T12:00:00.000Z` → `2026-11-29 12:00:00 UTC`, kept machine-readable in `datetime`. */
function timeElement(iso: string): string {
  const readable = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso;
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(readable)}</time>`;
}

export function renderInbox(messages: readonly StoredMessage[], filter: string | null): string {
  const heading = filter ? `Inbox for ${filter}` : "Inbox";
  const self = filter ? `/?to=${encodeURIComponent(filter)}` : "/";
  const items = messages
    .map(
      (m) => `<li data-message-id="${escapeHtml(m.id)}">
<a class="subject" href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || "(no subject)")}</a>
<dl class="meta">
<div><dt>To</dt><dd>${escapeHtml(m.to.join(", "))}</dd></div>
<div><dt>From</dt><dd>${escapeHtml(m.from)}</dd></div>
<div><dt>Received</dt><dd>${timeElement(m.created_at)}</dd></div>
</dl>
</li>`,
    )
    .join("\n");
  const list = messages.length
    ? `<ol class="messages" aria-label="Messages, newest first">
${items}
</ol>`
    : `<p class="empty">${filter ? "No messages to this address yet." : "No messages yet."}</p>`;
  const count = `${messages.length} message${messages.length === 1 ? "" : "s"}${messages.length > 1 ? ", newest first" : ""}.`;
  return page(heading, `<h1>${escapeHtml(heading)}</h1>
<form class="filter" method="get" action="/" role="search" aria-label="Messages">
<div><label for="to">Recipient address</label>
<input id="to" name="to" type="text" inputmode="email" autocomplete="off" spellcheck="false" value="${escapeHtml(filter ?? "")}"></div>
<button type="submit">Filter</button>
</form>
<ul class="links">
<li><a href="${escapeHtml(self)}">Refresh</a></li>
${filter ? `<li><a href="/">Show all messages</a></li>` : ""}
</ul>
<p class="count">${count}</p>
${list}`);
}

export function renderMessage(m: StoredMessage): string {
  const fields: [string, string][] = [
    ["From", m.from],
    ["To", m.to.join(", ")],
    ...(m.cc.length ? ([["Cc", m.cc.join(", ")]] as [string, string][]) : []),
    ...(m.bcc.length ? ([["Bcc", m.bcc.join(", ")]] as [string, string][]) : []),
    ...(m.reply_to.length ? ([["Reply-To", m.reply_to.join(", ")]] as [string, string][]) : []),
    ["Subject", m.subject],
    ["Date", m.created_at],
    ["Id", m.id],
    ...(m.idempotency_key ? ([["Idempotency-Key", m.idempotency_key]] as [string, string][]) : []),
    ...(m.batch_index !== null ? ([["Batch index", String(m.batch_index)]] as [string, string][]) : []),
    ...(m.scheduled_at ? ([["Scheduled at", m.scheduled_at]] as [string, string][]) : []),
    ...(m.template ? ([["Template", m.template.id]] as [string, string][]) : []),
    ...m.tags.map((t): [string, string] => [`Tag ${t.name}`, t.value]),
    ...Object.entries(m.headers).map(([k, v]): [string, string] => [`Header ${k}`, v]),
    ...m.attachments.map((a, i): [string, string] => [
      `Attachment ${i + 1}`,
      `${a.filename ?? a.path ?? "(unnamed)"}${a.content_type ? ` (${a.content_type})` : ""}${a.size !== null ? `, ${a.size} bytes` : ""}`,
    ]),
  ];
  const list = fields.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${k === "Date" ? timeElement(v) : escapeHtml(v)}</dd></div>`).join("\n");
  const html =
    m.html !== null
      ? `<h2>HTML part</h2>
<iframe title="HTML part of the email" sandbox="" referrerpolicy="no-referrer" srcdoc="${escapeHtml(m.html)}"></iframe>
<details>
<summary>HTML source</summary>
<pre>${escapeHtml(m.html)}</pre>
</details>`
      : "";
  const text = m.text !== null ? `<h2>Text part</h2>\n<pre>${escapeHtml(m.text)}</pre>` : "";
  const subject = m.subject || "(no subject)";
  return page(subject, `<nav aria-label="Message">
<ul class="links">
<li><a href="/">← Back to the inbox</a></li>
<li><a href="/_catcher/messages/${encodeURIComponent(m.id)}">This message as JSON</a></li>
</ul>
</nav>
<h1>${escapeHtml(subject)}</h1>
<h2>Headers</h2>
<dl class="fields">
${list}
</dl>
${html}
${text}`);
}

export function renderNotFound(): string {
  return page("Not found", `<h1>Not found</h1>
<p>There is no page or message at this address. It may have been cleared.</p>
<p><a href="/">Back to the inbox</a></p>`);
}

/** The inbox of a catcher started with a token, opened without it (or with a wrong one). */
export function renderTokenRequired(path: string, problem: "missing" | "wrong"): string {
  const intro =
    problem === "wrong"
      ? `<p class="notice" role="alert">That is not this mail catcher's token.</p>`
      : `<p>This mail catcher was started with a token (<code>--token</code>). Enter it once; a cookie then keeps this browser signed in until it closes. The address printed at start (<code>?token=…</code>) does the same.</p>`;
  return page("Token required", `<h1>Token required</h1>
${intro}
<form class="filter" method="get" action="${escapeHtml(path)}">
<div><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" required></div>
<button type="submit">Open the inbox</button>
</form>`);
}
