// The UI's pages, rendered on the server. Parts marked `data-live` are re-read by /ui/app.js when
// the engine's state changes (see routes.ts); a page whose run has ended has none.
import type { AppWatchState } from "../app-poller";
import type { FnDef } from "../functions";
import type { EventPayload } from "../types";
import type { AppRow, AttemptRow, EventRow, RunDetail, RunRow, StepRow } from "./data";
import { badge, duration, field, html, json, meta, page, path, raw, RUN_STATUSES, statusLabel, TERMINAL, time, type Html } from "./html";

export type Schedule = { function_id: string; cron: string; timezone: string; next_run: string | null };

type Listeners = { byName: FnDef[]; matched: FnDef[] };

const liveNote = (on: boolean) =>
  on ? html`<p class="live" id="live-note">Live: updates as the engine works.</p>` : html`<p class="live" id="live-note"></p>`;

export function syncAlert(apps: AppRow[], watch: AppWatchState[]): Html | null {
  const problems = [
    ...apps.filter((a) => a.error).map((a) => ({ name: a.id, error: a.error! })),
    ...watch.filter((w) => w.error && !apps.some((a) => a.url === w.url)).map((w) => ({ name: w.url, error: w.error! })),
  ];
  if (!problems.length) return null;
  const first = problems[0]!;
  return html`<p><strong>Sync problem</strong> — app ${first.name}: ${first.error}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}.
    The functions it last synced keep running. <a href="/apps">See Apps</a>.</p>`;
}

function fnLabel(fnId: string, fns: Map<string, FnDef>): string {
  const fn = fns.get(fnId);
  return fn && fn.name !== fn.id ? fn.name : fnId;
}

function runDurationMs(r: RunRow, now: number): number | null {
  if (!r.started_at) return null;
  return (r.ended_at?.getTime() ?? now) - r.started_at.getTime();
}

function runItem(r: RunRow, fns: Map<string, FnDef>, now: number): Html {
  return html`<li>
<div class="row-head"><a href="${path("/runs", r.id)}">${fnLabel(r.function_id, fns)}</a>${badge(r.status)}</div>
<dl class="meta">${meta(
    r.status === "skipped" ? "Skipped" : "Started",
    r.started_at ? time(r.started_at) : TERMINAL.has(r.status) ? html`never (${r.status === "skipped" ? "" : "queued "}${time(r.created_at)})` : html`not yet (queued ${time(r.created_at)})`,
  )}${meta(
    "Duration",
    r.started_at ? `${duration(runDurationMs(r, now))}${r.ended_at ? "" : " so far"}` : null,
  )}${meta("Event", r.event_name ?? null)}${meta("Run", html`<code>${r.id}</code>`)}${r.skip_reason ? meta("Reason", r.skip_reason) : ""}</dl>
</li>`;
}

export function runsPage(o: {
  runs: RunRow[];
  fns: Map<string, FnDef>;
  fnIds: string[];
  filter: { fn: string | null; status: string | null; limit: number };
  now: number;
  alert: Html | null;
}): string {
  const { filter } = o;
  const options = [...new Set([...o.fns.keys(), ...o.fnIds])].sort();
  const filtered = filter.fn || filter.status;
  const body = html`<h1>Runs</h1>
<form class="filter" method="get" action="/runs">
<div><label for="f-function">Function</label><select id="f-function" name="function"><option value="">All functions</option>${options.map(
    (id) => html`<option value="${id}"${id === filter.fn ? raw(" selected") : ""}>${id}</option>`,
  )}</select></div>
<div><label for="f-status">Status</label><select id="f-status" name="status"><option value="">Any status</option>${RUN_STATUSES.map(
    (s) => html`<option value="${s}"${s === filter.status ? raw(" selected") : ""}>${statusLabel(s)}</option>`,
  )}</select></div>
<button type="submit">Filter</button>${filtered ? html` <a class="button secondary" href="/runs">Clear</a>` : ""}
</form>
${liveNote(true)}
<section id="runs" data-live aria-labelledby="runs-heading">
<h2 id="runs-heading">${o.runs.length ? `${o.runs.length === filter.limit ? "Latest " : ""}${o.runs.length} run${o.runs.length === 1 ? "" : "s"}` : "No runs"}${filtered ? " matching the filter" : ""}</h2>
${
  o.runs.length
    ? html`<ul class="rows">${o.runs.map((r) => runItem(r, o.fns, o.now))}</ul>${
        o.runs.length === filter.limit
          ? html`<p><a href="${`/runs?${new URLSearchParams({ ...(filter.fn ? { function: filter.fn } : {}), ...(filter.status ? { status: filter.status } : {}), limit: String(Math.min(filter.limit * 4, 1000)) })}`}">Show more runs</a></p>`
          : ""
      }`
    : html`<p class="empty">${filtered ? "No run matches. " : "No runs yet. "}Runs appear here as events start them: <a href="/events/new">send an event</a> or invoke a function from <a href="/functions">Functions</a>.</p>`
}
</section>`;
  return page({ title: "Runs", section: "runs", alert: o.alert, body });
}

type StepGroup = { id: string; name: string; attempts: AttemptRow[]; step?: StepRow };

function groupSteps(d: RunDetail): StepGroup[] {
  const groups = new Map<string, StepGroup>();
  for (const a of d.attempts) {
    let g = groups.get(a.step_id);
    if (!g) {
      const name = a.step_id === "step" ? "Function" : (a.step_name ?? a.step_id);
      g = { id: a.step_id, name, attempts: [] };
      groups.set(a.step_id, g);
    }
    if (a.step_name && g.name === g.id) g.name = a.step_name;
    g.attempts.push(a);
  }
  for (const s of d.steps) {
    const g = groups.get(s.step_id);
    if (g) g.step = s;
    else groups.set(s.step_id, { id: s.step_id, name: s.name ?? s.step_id, attempts: [], step: s });
  }
  return [...groups.values()];
}

const OUTCOME: Record<string, { label: string; cls: "ok" | "error" | "other"; badge: string }> = {
  ok: { label: "ok", cls: "ok", badge: "o-ok" },
  completed: { label: "run completed", cls: "ok", badge: "o-ok" },
  error: { label: "error, will retry", cls: "error", badge: "o-error" },
  failed: { label: "failed", cls: "error", badge: "o-error" },
  sleep: { label: "sleep", cls: "other", badge: "o-other" },
  waiting: { label: "waiting for an event", cls: "other", badge: "o-other" },
  invoked: { label: "invoked a function", cls: "other", badge: "o-other" },
  "event received": { label: "event received", cls: "ok", badge: "o-ok" },
  "invoke finished": { label: "invoked function finished", cls: "ok", badge: "o-ok" },
  "timed out": { label: "timed out", cls: "error", badge: "o-error" },
};

function errorText(e: unknown): { head: string; stack: string | null } {
  if (!e || typeof e !== "object") return { head: String(e ?? ""), stack: null };
  const err = e as { name?: unknown; message?: unknown; stack?: unknown; error?: unknown };
  const head = [err.name, err.message ?? err.error].filter((x) => typeof x === "string" && x).join(": ") || json(e);
  return { head, stack: typeof err.stack === "string" ? err.stack : null };
}

/** The step waterfall: one bar per attempt on the run's time axis, backoff/sleep gaps after it. */
function waterfall(d: RunDetail, now: number): Html {
  const groups = groupSteps(d);
  if (!groups.length) {
    return html`<p class="empty">${TERMINAL.has(d.run.status) ? "No step ran." : "No step has run yet."}</p>`;
  }
  const t0 = d.run.created_at.getTime();
  const ends = d.attempts.map((a) => a.ended_at.getTime());
  const t1 = Math.max(d.run.ended_at?.getTime() ?? now, ...ends, t0 + 1);
  const span = t1 - t0;
  const x = (t: number) => Math.max(0, Math.min(1000, ((t - t0) / span) * 1000));
  let n = 0;
  const items = groups.map((g) => {
    const rows = g.attempts.map((a, i) => {
      n++;
      const start = a.started_at.getTime();
      const end = a.ended_at.getTime();
      const next = g.attempts[i + 1]?.started_at.getTime();
      const o = OUTCOME[a.outcome] ?? { label: a.outcome, cls: "other" as const, badge: "o-other" };
      const gapEnd = a.retry_at ? Math.min(next ?? a.retry_at.getTime(), t1) : null;
      const bar = raw(
        `<svg class="bar" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">` +
          `<rect class="${o.cls}" x="${x(start).toFixed(1)}" y="0" height="10" width="${Math.max(2, x(end) - x(start)).toFixed(1)}"></rect>` +
          (gapEnd !== null && gapEnd > end
            ? `<rect class="gap" x="${x(end).toFixed(1)}" y="3" height="4" width="${Math.max(1, x(gapEnd) - x(end)).toFixed(1)}"></rect>`
            : "") +
          `</svg>`,
      );
      const err = a.error ? errorText(a.error) : null;
      const gapText = a.retry_at
        ? a.outcome === "error"
          ? `backoff ${duration(a.retry_at.getTime() - end)}, retry ${next ? `started after ${duration(next - end)}` : "at"} `
          : a.outcome === "sleep"
            ? "until "
            : a.outcome === "waiting" || a.outcome === "invoked"
              ? "times out at "
              : ""
        : "";
      return html`<li>${bar}<p class="attempt-text"><span class="badge ${o.badge}">${o.label}</span>
${a.attempt > 0 || a.outcome === "error" || a.outcome === "failed" ? `Attempt ${a.attempt + 1} · ` : ""}${
        end > start ? duration(end - start) : "instant"
      } · at +${duration(start - t0)}${a.status_code ? ` · HTTP ${a.status_code}` : ""}${
        a.retry_at ? html` · ${gapText}${a.outcome === "error" && next ? "" : time(a.retry_at)}` : ""
      }</p>${
        err
          ? html`<details id="err-${n}"><summary>${err.head.length > 140 ? `${err.head.slice(0, 140)}…` : err.head}</summary><pre>${err.stack ?? err.head}</pre></details>`
          : ""
      }</li>`;
    });
    const result = g.step?.result as { data?: unknown; error?: unknown } | null | undefined;
    const resultHtml =
      g.step === undefined
        ? ""
        : result && "error" in result
          ? html`<details id="out-${g.id}"><summary>Step error</summary><pre>${
              errorText(result.error).stack ?? json(result.error)
            }</pre></details>`
          : html`<details id="out-${g.id}"><summary>Output</summary><pre>${json(result?.data ?? null)}</pre></details>`;
    const total = g.attempts.length
      ? g.attempts[g.attempts.length - 1]!.ended_at.getTime() - g.attempts[0]!.started_at.getTime()
      : null;
    const kind = g.step ? g.step.op : g.id === "step" ? "request" : null;
    const about = [kind, g.attempts.length > 1 ? `${g.attempts.length} attempts` : null, total !== null && total > 0 ? `${duration(total)} in all` : null];
    return html`<li><div class="row-head"><h3>${g.name}</h3><span class="muted">${about.filter(Boolean).join(" · ")}</span></div>
<ol class="attempts">${rows}</ol>${resultHtml}</li>`;
  });
  return html`<ul class="legend" aria-hidden="true">
<li><svg width="16" height="10"><rect class="ok" width="16" height="10" fill="#1a7f37"></rect></svg>ran, ok</li>
<li><svg width="16" height="10"><rect width="16" height="10" fill="#cf222e"></rect></svg>error</li>
<li><svg width="16" height="10"><rect width="16" height="10" fill="#0969da"></rect></svg>sleep, wait, invoke</li>
<li><svg width="16" height="4"><rect width="16" height="4" fill="#d4a72c"></rect></svg>backoff or waiting time</li>
</ul>
<p class="muted">Time axis: from the run being queued (${time(t0)}) to ${d.run.ended_at ? "its end" : "now"} (${duration(span)}).</p>
<ul class="steps">${items}</ul>`;
}

function pendingText(d: RunDetail): Html | null {
  if (TERMINAL.has(d.run.status)) return null;
  const parts: Html[] = [];
  if (d.held.throttled) parts.push(html`waiting for its throttle to admit it`);
  if (d.held.startsAt) parts.push(html`starts at ${time(d.held.startsAt)}`);
  for (const p of d.pending) {
    if (p.kind === "wake") parts.push(html`sleeping until ${time(p.run_at)}`);
    else if (p.kind === "call" && p.state === "running") parts.push(html`a request to the app is in flight`);
    else if (p.kind === "call") parts.push(html`next request ${p.run_at.getTime() > Date.now() ? html`at ${time(p.run_at)}` : "due now"}`);
  }
  for (const w of d.waits) {
    if (w.kind === "wait") parts.push(html`waiting for <code>${w.event_name}</code> (${w.step_name ?? "step"}) until ${time(w.expires_at)}`);
    if (w.kind === "invoke") parts.push(html`waiting for an invoked function (${w.step_name ?? "step"}) until ${time(w.expires_at)}`);
  }
  if (!parts.length) return null;
  return html`${parts.map((p, i) => html`${i ? "; " : ""}${p}`)}`;
}

export function runPage(d: RunDetail, fns: Map<string, FnDef>, now: number, alert: Html | null): string {
  const r = d.run;
  const ended = TERMINAL.has(r.status);
  const err = r.status === "failed" || r.status === "cancelled" ? errorText(r.error) : null;
  const fnExists = fns.has(r.function_id);
  const body = html`<h1>Run of ${fnLabel(r.function_id, fns)}</h1>
<div class="actions">
<span id="run-controls" ${ended ? "" : raw("data-live")}>${
    ended
      ? ""
      : html`<button type="button" class="danger" id="cancel" data-action="${path("/ui/api/runs", r.id, "cancel")}" data-result="action-result" data-pending="Cancelling…" data-focus-result>Cancel run</button>`
  }</span>
${
  fnExists
    ? html`<button type="button" class="secondary" id="rerun" data-action="${path("/ui/api/runs", r.id, "rerun")}" data-result="action-result" data-pending="Starting a new run…">Rerun from the start</button>`
    : html`<span class="muted">Rerun: the function is no longer synced.</span>`
}
<span role="status" id="action-result" class="result"></span>
</div>
${liveNote(!ended)}
<section id="run" ${ended ? "" : raw("data-live")} aria-labelledby="summary-heading">
<h2 id="summary-heading" class="sr-only">Summary</h2>
<dl class="fields">
${field("Status", badge(r.status))}
${field("Now", pendingText(d))}
${field("Function", html`<a href="${path("/functions", r.function_id)}">${r.function_id}</a>`)}
${field("Event", d.event ? html`<a href="${path("/events", d.event.internal_id)}">${d.event.payload.name}</a>` : r.event_id)}
${field("Run id", html`<code>${r.id}</code>`)}
${field("Queued", time(r.created_at))}
${field("Started", r.started_at ? time(r.started_at) : ended ? "never" : "not yet")}
${field("Ended", r.ended_at ? time(r.ended_at) : null)}
${field("Duration", r.started_at ? `${duration(runDurationMs(r, now))}${r.ended_at ? "" : " so far"}` : null)}
${field("Skipped because", r.skip_reason ? (r.skip_reason === "rate_limited" ? "rate limited (rateLimit)" : r.skip_reason) : null)}
</dl>
${
  r.status === "completed"
    ? html`<h3>Output</h3><pre>${json(r.output ?? null)}</pre>`
    : err
      ? html`<h3>${r.status === "cancelled" ? "Why it was cancelled" : "Error"}</h3><div class="error"><p>${err.head}${
          (r.error as { reason?: unknown } | null)?.reason ? ` — ${String((r.error as { reason?: unknown }).reason)}` : ""
        }</p>${err.stack ? html`<details id="run-stack"><summary>Stack</summary><pre>${err.stack}</pre></details>` : ""}</div>`
      : ""
}
<h2>Steps</h2>
${waterfall(d, now)}
${
  d.batch.length
    ? html`<h2>Events in its batch</h2><ul class="rows">${d.batch.map(
        (e) => html`<li><div class="row-head"><a href="${path("/events", e.internal_id)}">${e.name}</a></div><dl class="meta">${meta("Received", time(e.received_at))}${meta("Event", html`<code>${e.internal_id}</code>`)}</dl></li>`,
      )}</ul>`
    : ""
}
${
  d.sent.length
    ? html`<h2>Events it sent</h2><ul class="rows">${d.sent.map(
        (e) => html`<li><div class="row-head"><a href="${path("/events", e.internal_id)}">${e.name}</a></div><dl class="meta">${meta("Received", time(e.received_at))}${meta("Event", html`<code>${e.internal_id}</code>`)}</dl></li>`,
      )}</ul>`
    : ""
}
</section>
<h2>Trigger event</h2>
${d.event ? html`<pre>${json(d.event.payload)}</pre>` : html`<p class="empty">The event is gone.</p>`}`;
  return page({ title: `Run ${r.id}`, section: "runs", alert, body });
}

function runsOfEvent(e: EventRow, l: Listeners, fns: Map<string, FnDef>): Html {
  if (e.runs.length) {
    return html`<ul class="links">${e.runs.map(
      (r) => html`<li><a href="${path("/runs", r.id)}">${fnLabel(r.function_id, fns)}</a> ${badge(r.status)}</li>`,
    )}</ul>`;
  }
  if (!l.byName.length) return html`<span class="note-inline">No function listens to this event.</span>`;
  if (!l.matched.length) {
    return html`<span class="note-inline">No run: ${l.byName.map((f) => f.id).join(", ")} listen${l.byName.length === 1 ? "s" : ""} to this name, but the trigger's <code>if</code> did not match.</span>`;
  }
  return html`<span class="note-inline">No run started for ${l.matched.map((f) => f.id).join(", ")} (a duplicate event id or idempotency key, a delayed start, or flow control: a debounce a later event won, a batch still collecting).</span>`;
}

export function eventsPage(o: {
  events: EventRow[];
  listeners: (e: EventRow) => Listeners;
  fns: Map<string, FnDef>;
  names: string[];
  filter: { name: string | null; internal: boolean; limit: number };
  alert: Html | null;
}): string {
  const { filter } = o;
  const body = html`<h1>Events</h1>
<div class="actions"><a class="button" href="/events/new">Send an event</a></div>
<form class="filter" method="get" action="/events">
<div><label for="f-name">Event name</label><input type="text" id="f-name" name="name" value="${filter.name ?? ""}" list="event-names" autocomplete="off"><datalist id="event-names">${o.names.map(
    (n) => html`<option value="${n}"></option>`,
  )}</datalist></div>
<div class="check"><input type="checkbox" id="f-internal" name="internal" value="1"${filter.internal ? raw(" checked") : ""}><label for="f-internal">Include the engine's <code>inngest/function.*</code> events</label></div>
<button type="submit">Filter</button>
</form>
${liveNote(true)}
<section id="events" data-live aria-labelledby="events-heading">
<h2 id="events-heading">${o.events.length ? `${o.events.length === filter.limit ? "Latest " : ""}${o.events.length} event${o.events.length === 1 ? "" : "s"}` : "No events"}</h2>
${
  o.events.length
    ? html`<ul class="rows">${o.events.map(
        (e) => html`<li>
<div class="row-head"><a href="${path("/events", e.internal_id)}">${e.name}</a></div>
<dl class="meta">${meta("Received", time(e.received_at))}${meta("Id", html`<code>${e.id}</code>`)}${meta("Runs", runsOfEvent(e, o.listeners(e), o.fns))}</dl>
</li>`,
      )}</ul>`
    : html`<p class="empty">No events yet. Events your app sends to this engine (and ones you <a href="/events/new">send here</a>) appear as they arrive.</p>`
}
</section>`;
  return page({ title: "Events", section: "events", alert: o.alert, body });
}

export function eventPage(e: EventRow, l: Listeners, fns: Map<string, FnDef>, alert: Html | null): string {
  const p = e.payload;
  const internal = p.name.startsWith("inngest/");
  const inFlight = e.runs.some((r) => !TERMINAL.has(r.status));
  const body = html`<h1>Event ${p.name}</h1>
<div class="actions">
${internal ? "" : html`<button type="button" id="replay" data-action="${path("/ui/api/events", e.internal_id, "replay")}" data-result="action-result" data-pending="Sending it again…">Replay</button>
<a class="button secondary" href="${`/events/new?from=${encodeURIComponent(e.internal_id)}`}">Edit and send</a>`}
<span role="status" id="action-result" class="result"></span>
</div>
<dl class="fields">
${field("Name", html`<code>${p.name}</code>`)}
${field("Id", html`<code>${p.id}</code>`)}
${field("Internal id", html`<code>${e.internal_id}</code>`)}
${field("Received", time(e.received_at))}
${field("Timestamp (ts)", typeof p.ts === "number" ? time(p.ts) : null)}
</dl>
${liveNote(inFlight || !e.runs.length)}
<section id="event-runs" ${inFlight || !e.runs.length ? raw("data-live") : ""} aria-labelledby="runs-heading">
<h2 id="runs-heading">Runs it started</h2>
${
  e.runs.length
    ? html`<ul class="rows">${e.runs.map(
        (r) => html`<li><div class="row-head"><a href="${path("/runs", r.id)}">${fnLabel(r.function_id, fns)}</a>${badge(r.status)}</div><dl class="meta">${meta("Run", html`<code>${r.id}</code>`)}</dl></li>`,
      )}</ul>`
    : html`<p class="note">${runsOfEvent(e, l, fns)}</p>`
}
</section>
<h2>Payload</h2>
<pre>${json(p)}</pre>`;
  return page({ title: `Event ${p.name}`, section: "events", alert, body });
}

function jsonEditor(o: {
  id: string;
  action: string;
  label: string;
  hint: Html | string;
  value: string;
  submit: string;
}): Html {
  return html`<form method="post" action="${o.action}" data-json-form data-result="${o.id}-result">
<div class="field">
<label for="${o.id}">${o.label}</label>
<textarea id="${o.id}" name="payload" spellcheck="false" autocapitalize="off" autocomplete="off" aria-describedby="${o.id}-error ${o.id}-hint">${o.value}</textarea>
<p class="field-error" id="${o.id}-error"></p>
<p class="hint" id="${o.id}-hint">${o.hint}</p>
</div>
<div class="actions"><button type="submit">${o.submit}</button><span role="status" id="${o.id}-result" class="result"></span></div>
</form>`;
}

export function sendPage(o: { fns: FnDef[]; selected: FnDef | null; from: EventPayload | null; names: string[]; alert: Html | null }): string {
  const eventFns = o.fns.filter((f) => f.events.length);
  let value: unknown = { name: o.names[0] ?? "app/something.happened", data: {} };
  let hint: Html = html`An object with <code>name</code> and <code>data</code> (and optionally <code>id</code>, <code>user</code>, <code>ts</code>), or a list of them. It is accepted as <code>POST /e/</code> would.`;
  if (o.from) value = { name: o.from.name, data: o.from.data, ...(o.from.user && Object.keys(o.from.user).length ? { user: o.from.user } : {}) };
  else if (o.selected) {
    const t = o.selected.events.find((e) => !e.event.includes("*")) ?? o.selected.events[0];
    if (t) {
      value = { name: t.event.replace(/\*/g, "example"), data: {} };
      if (t.expression) hint = html`${hint} Its trigger also requires <code>${t.expression.source}</code>.`;
    } else hint = html`${o.selected.id} has no event trigger (cron only): <a href="${path("/functions", o.selected.id)}">invoke it</a> instead.`;
  }
  const body = html`<h1>Send an event</h1>
<form class="filter" method="get" action="/events/new">
<div><label for="prefill">Start from a function's trigger</label><select id="prefill" name="function"><option value="">—</option>${eventFns.map(
    (f) => html`<option value="${f.id}"${o.selected?.id === f.id ? raw(" selected") : ""}>${f.id} (${f.events.map((e) => e.event).join(", ")})</option>`,
  )}</select></div>
<button type="submit" class="secondary">Fill in</button>
</form>
${jsonEditor({ id: "event-json", action: "/ui/api/events", label: "Event (JSON)", hint, value: json(value), submit: "Send event" })}`;
  return page({ title: "Send an event", section: "events", alert: o.alert, body });
}

function triggersList(fn: FnDef, schedules: Schedule[]): Html {
  return html`<ul>${fn.events.map(
    (t) => html`<li>event <code>${t.event}</code>${t.expression ? html` if <code>${t.expression.source}</code>` : ""}</li>`,
  )}${fn.crons.map((c) => {
    const next = schedules.find((s) => s.function_id === fn.id && s.cron === c.cron)?.next_run;
    return html`<li>cron <code>${c.cron}</code>${c.jitterMs ? ` (jitter up to ${duration(c.jitterMs)})` : ""} — next run ${next ? time(next) : "none"}</li>`;
  })}${fn.events.length || fn.crons.length ? "" : html`<li>none (invoke only)</li>`}</ul>`;
}

const FLOW_FIELDS: [string, string][] = [
  ["concurrency", "Concurrency"],
  ["throttle", "Throttle"],
  ["rateLimit", "Rate limit"],
  ["debounce", "Debounce"],
  ["batchEvents", "Batch events"],
  ["idempotency", "Idempotency"],
  ["cancel", "Cancel on"],
  ["timeouts", "Timeouts"],
  ["priority", "Priority"],
  ["singleton", "Singleton"],
];

function settings(fn: FnDef): [string, string][] {
  const cfg = fn.config as Record<string, unknown>;
  const out: [string, string][] = [["Retries", `${fn.maxAttempts - 1} (${fn.maxAttempts} attempt${fn.maxAttempts === 1 ? "" : "s"})`]];
  for (const [key, label] of FLOW_FIELDS) {
    const v = cfg[key];
    if (v === undefined || v === null) continue;
    out.push([label, typeof v === "string" ? v : JSON.stringify(v)]);
  }
  return out;
}

export function functionsPage(o: { fns: FnDef[]; schedules: Schedule[]; alert: Html | null }): string {
  const fns = [...o.fns].sort((a, b) => a.id.localeCompare(b.id));
  const body = html`<h1>Functions</h1>
${
  fns.length
    ? html`<p class="muted">${fns.length} function${fns.length === 1 ? "" : "s"} synced from ${new Set(fns.map((f) => f.appId)).size} app${new Set(fns.map((f) => f.appId)).size === 1 ? "" : "s"}.</p>
<ul class="rows">${fns.map(
        (fn) => html`<li>
<div class="row-head"><a href="${path("/functions", fn.id)}">${fn.name}</a>${fn.name !== fn.id ? html`<code class="muted">${fn.id}</code>` : ""}</div>
<dl class="meta">${meta("App", fn.appId)}${meta("Triggers", triggersList(fn, o.schedules))}${meta(
          "Settings",
          settings(fn)
            .map(([k, v]) => `${k}: ${v}`)
            .join(" · "),
        )}${meta("Runs", html`<a href="${`/runs?function=${encodeURIComponent(fn.id)}`}">see runs<span class="sr-only"> of ${fn.id}</span></a>`)}</dl>
</li>`,
      )}</ul>`
    : html`<p class="empty">No functions synced yet. Start the engine with <code>--app-url</code>, or sync an app from <a href="/apps">Apps</a>.</p>`
}`;
  return page({ title: "Functions", section: "functions", alert: o.alert, body });
}

export function functionPage(o: { fn: FnDef; schedules: Schedule[]; runs: RunRow[]; fns: Map<string, FnDef>; now: number; alert: Html | null }): string {
  const { fn } = o;
  const body = html`<h1>Function ${fn.name}</h1>
<dl class="fields">
${field("Id", html`<code>${fn.id}</code>`)}
${field("App", html`<a href="/apps">${fn.appId}</a>`)}
${field("URL", html`<code>${fn.url}</code>`)}
${field("Triggers", triggersList(fn, o.schedules))}
${settings(fn).map(([k, v]) => field(k, html`<code>${v}</code>`))}
</dl>
<div class="split">
<div>
<h2>Invoke</h2>
${jsonEditor({
  id: "invoke-json",
  action: path("/ui/api/functions", fn.id, "invoke"),
  label: "Payload (JSON)",
  hint: html`Starts a run of this function now, whatever its triggers, with an <code>inngest/function.invoked</code> event whose <code>data</code> is this payload's.${
    fn.events.length ? html` To go through its trigger instead, <a href="${`/events/new?function=${encodeURIComponent(fn.id)}`}">send an event</a>.` : ""
  }`,
  value: json({ data: {} }),
  submit: "Invoke",
})}
</div>
<div>
${liveNote(true)}
<section id="fn-runs" data-live aria-labelledby="fn-runs-heading">
<h2 id="fn-runs-heading">Latest runs</h2>
${
  o.runs.length
    ? html`<ul class="rows">${o.runs.map((r) => runItem(r, o.fns, o.now))}</ul><p><a href="${`/runs?function=${encodeURIComponent(fn.id)}`}">All runs of this function</a></p>`
    : html`<p class="empty">No runs yet.</p>`
}
</section>
</div>
</div>`;
  return page({ title: `Function ${fn.id}`, section: "functions", alert: o.alert, body });
}

export function appsPage(o: { apps: AppRow[]; watch: AppWatchState[]; pollMs: number; alert: Html | null }): string {
  const urls = new Set(o.apps.map((a) => a.url));
  const unsynced = o.watch.filter((w) => !urls.has(w.url));
  const watchOf = (url: string) => o.watch.find((w) => w.url === url);
  // The result is shown outside the live list, which a refresh may redraw.
  const syncButton = (url: string, i: number) =>
    html`<div class="actions"><button type="button" id="sync-${i}" data-action="/ui/api/apps/sync" data-body="${JSON.stringify({ url })}" data-result="sync-result" data-pending="Syncing ${url}…">Sync now</button></div>`;
  const body = html`<h1>Apps</h1>
<p class="muted">${
    o.pollMs > 0
      ? `The engine asks every app below for its functions every ${duration(o.pollMs)} and re-syncs when they changed.`
      : "Polling is off: apps are synced when the engine starts and when you sync them here (start the engine with --app-poll <ms> to pick up changes by itself)."
  }</p>
${liveNote(true)}
<p role="status" id="sync-result" class="result"></p>
<section id="apps" data-live aria-label="Apps">
${
  o.apps.length || unsynced.length
    ? html`<ul class="rows">${o.apps.map((a, i) => {
        const w = watchOf(a.url);
        return html`<li>
<h2>${a.id}</h2>
<dl class="fields">
${field("Serve URL", html`<code>${a.url}</code>`)}
${field("SDK", a.sdk ?? "unknown")}
${field("Functions", html`<a href="/functions">${a.functions}</a>`)}
${field("Last sync", time(a.synced_at))}
${field("Last checked", w?.checkedAt ? time(w.checkedAt) : null)}
${field("Sync error", a.error ? html`<span class="error-inline">${a.error}</span>` : "none")}
</dl>
${syncButton(a.url, i)}
</li>`;
      })}${unsynced.map(
        (w, j) => html`<li>
<h2>${w.url}</h2>
<dl class="fields">
${field("Serve URL", html`<code>${w.url}</code>`)}
${field("State", "never synced")}
${field("Last checked", w.checkedAt ? time(w.checkedAt) : "not yet")}
${field("Sync error", w.error ?? "none")}
</dl>
${syncButton(w.url, o.apps.length + j)}
</li>`,
      )}</ul>`
    : html`<p class="empty">No app synced yet. Start the engine with <code>--app-url http://127.0.0.1:3000/api/inngest</code>, or <code>POST /v1/apps/sync {"url": "…"}</code>.</p>`
}
</section>`;
  return page({ title: "Apps", section: "apps", alert: o.alert, body });
}

export function notFoundPage(what: string, alert: Html | null): string {
  return page({
    title: "Not found",
    section: "runs",
    alert,
    body: html`<h1>Not found</h1><p>${what}</p><p><a href="/runs">Back to runs</a></p>`,
  });
}
