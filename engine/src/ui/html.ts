// Building blocks of the UI's server-rendered pages. Everything shown comes from apps and events
// (anyone who can reach the port can send one), so every value goes through `esc`.
import { STATUS } from "../read-api";
import { TERMINAL } from "../run-store";

export function esc(v: unknown): string {
  return String(v ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A tagged template whose interpolations are escaped unless they are already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString() {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | Part[];

function render(p: Part): string {
  if (p === null || p === undefined || p === false) return "";
  if (Array.isArray(p)) return p.map(render).join("");
  if (p instanceof Html) return p.text;
  return esc(p);
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? "";
  parts.forEach((p, i) => {
    out += render(p) + (strings[i + 1] ?? "");
  });
  return new Html(out);
}

export const raw = (s: string) => new Html(s);

export type Section = "runs" | "events" | "functions" | "apps";

const NAV: [Section, string, string][] = [
  ["runs", "/runs", "Runs"],
  ["events", "/events", "Events"],
  ["functions", "/functions", "Functions"],
  ["apps", "/apps", "Apps"],
];

/** A whole page: one h1 (the caller's), landmarks, the engine's own stylesheet and script. */
export function page(opts: { title: string; section: Section; alert?: Html | null; body: Html }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} · Local Inngest engine</title>
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="banner">
<a class="brand" href="/runs">Local Inngest engine</a>
<nav aria-label="Sections"><ul>${NAV.map(
    ([key, href, label]) => `<li><a href="${href}"${key === opts.section ? ' aria-current="page"' : ""}>${label}</a></li>`,
  ).join("")}</ul></nav>
</header>
<main id="main" tabindex="-1">
${opts.alert ? `<div class="alert">${opts.alert.text}</div>` : ""}
${opts.body.text}
</main>
</body>
</html>`;
}

export const RUN_STATUSES = Object.keys(STATUS);
export { TERMINAL };

export function statusLabel(status: string): string {
  return STATUS[status] ?? status;
}

export function badge(status: string, label = statusLabel(status)): Html {
  const cls = STATUS[status] ? `s-${status}` : "s-queued";
  return html`<span class="badge ${cls}">${label}</span>`;
}

/** `2026-12-01 10:31:02 UTC`, in a <time> with the exact instant. */
export function time(d: Date | string | number | null | undefined): Html {
  if (d === null || d === undefined) return html`<span class="muted">—</span>`;
  const date = new Date(d);
  if (Number.isNaN(date.getTime())) return html`<span class="muted">—</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time>`;
}

/** 850 ms, 1.2 s, 3 min 20 s, 2 h 5 min. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  if (m < 48 * 60) return `${Math.floor(m / 60)} h ${m % 60} min`;
  return `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
}

export function json(v: unknown): string {
  try {
    return JSON.stringify(v, null, 2) ?? "null";
  } catch {
    return String(v);
  }
}

/** A definition list row (`.fields`), skipped when the value is absent. */
export function field(label: string, value: Html | string | number | null | undefined): Html {
  if (value === null || value === undefined || value === "") return html``;
  return html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
}

/** A compact definition list entry (`.meta`). */
export function meta(label: string, value: Html | string | number | null | undefined): Html {
  if (value === null || value === undefined || value === "") return html``;
  return html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
}

export function path(...segments: string[]): string {
  return segments.map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join("/");
}
