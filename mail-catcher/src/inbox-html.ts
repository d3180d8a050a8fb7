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

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:baseline}
header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:70rem;margin:1rem auto;padding:0 1rem}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #d0d7de}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d0d7de;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
td.time{white-space:nowrap;color:#57606a}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;border:1px solid #d0d7de;padding:.6rem}
dt{font-weight:600}dd{margin:0;word-break:break-word}
iframe{width:100%;height:32rem;border:1px solid #d0d7de;background:#fff}
pre{white-space:pre-wrap;background:#fff;border:1px solid #d0d7de;padding:.6rem}
.empty{color:#57606a}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><a href="/">Mail catcher</a><span>local Resend-compatible inbox</span></header>
<main>
${body}
</main>
</body>
</html>`;
}

export function renderInbox(messages: readonly StoredMessage[], filter: string | null): string {
  const heading = filter ? `Inbox for ${filter}` : "Inbox";
  const rows = messages
    .map(
      (m) => `<tr data-message-id="${escapeHtml(m.id)}">
<td class="time"><time datetime="${escapeHtml(m.created_at)}">${escapeHtml(m.created_at)}</time></td>
<td>${escapeHtml(m.to.join(", "))}</td>
<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || "(no subject)")}</a></td>
<td>${escapeHtml(m.from)}</td>
</tr>`,
    )
    .join("\n");
  const table = messages.length
    ? `<table>
<thead><tr><th>Received</th><th>To</th><th>Subject</th><th>From</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : `<p class="empty">No messages yet.</p>`;
  return page(heading, `<h1>${escapeHtml(heading)}</h1>
<p>${messages.length} message${messages.length === 1 ? "" : "s"}, newest first. <a href="">Refresh</a></p>
${table}`);
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
    ...(m.scheduled_at ? ([["Scheduled at", m.scheduled_at]] as [string, string][]) : []),
    ...(m.template ? ([["Template", m.template.id]] as [string, string][]) : []),
    ...m.tags.map((t): [string, string] => [`Tag ${t.name}`, t.value]),
    ...Object.entries(m.headers).map(([k, v]): [string, string] => [`Header ${k}`, v]),
    ...m.attachments.map((a, i): [string, string] => [
      `Attachment ${i + 1}`,
      `${a.filename ?? a.path ?? "(unnamed)"}${a.content_type ? ` (${a.content_type})` : ""}${a.size !== null ? `, ${a.size} bytes` : ""}`,
    ]),
  ];
  const list = fields.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("\n");
  const html =
    m.html !== null
      ? `<h2>HTML</h2>
<iframe title="HTML part" sandbox="" referrerpolicy="no-referrer" srcdoc="${escapeHtml(m.html)}"></iframe>`
      : "";
  const text = m.text !== null ? `<h2>Text</h2>\n<pre>${escapeHtml(m.text)}</pre>` : "";
  return page(m.subject || "(no subject)", `<p><a href="/">← Inbox</a> · <a href="/_catcher/messages/${encodeURIComponent(m.id)}">JSON</a></p>
<h1>${escapeHtml(m.subject || "(no subject)")}</h1>
<dl>
${list}
</dl>
${html}
${text}`);
}

export function renderNotFound(): string {
  return page("Not found", `<h1>Not found</h1><p><a href="/">Back to the inbox</a></p>`);
}

/** The inbox of a catcher started with a token, opened without it (or with a wrong one). */
export function renderTokenRequired(path: string, problem: "missing" | "wrong"): string {
  const intro =
    problem === "wrong"
      ? `<p role="alert">That token is not this mail catcher's token.</p>`
      : `<p>This mail catcher was started with a token. Enter it once; a cookie keeps you signed in for this browser session.</p>`;
  return page("Token required", `<h1>Token required</h1>
${intro}
<form method="get" action="${escapeHtml(path)}">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Open the inbox</button>
</form>`);
}
