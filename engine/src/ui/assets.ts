// The UI's only two assets, served from the engine itself (/ui/app.css, /ui/app.js): no external
// fetches, works offline, and the pages' CSP allows nothing else.

// Mobile first: every page fits 390 px without sideways page scrolling (long ids, names and JSON
// wrap inside their own boxes). Text keeps ≥ 4.5:1 contrast, control borders ≥ 3:1, focus is
// always visible, and status is never told by colour alone.
export const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{color-scheme:light;-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#f6f8fa}
a{color:#0550ae}
a:hover{color:#033d8b}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.skip{position:absolute;left:.5rem;top:-3rem;background:#fff;color:#0550ae;padding:.5rem 1rem;border-radius:6px;z-index:10}
.skip:focus{top:.5rem}
.banner{background:#24292f;color:#fff;padding:.25rem 1rem;display:flex;flex-wrap:wrap;gap:0 1.5rem;align-items:center}
.banner a{color:#fff}
.banner a:focus-visible{outline-color:#fff}
.brand{font-weight:700;text-decoration:none;display:inline-block;padding:.5rem 0}
.banner ul{display:flex;flex-wrap:wrap;gap:0 1rem;list-style:none;margin:0;padding:0}
.banner nav a{display:inline-block;padding:.5rem .125rem;text-decoration:none;border-bottom:3px solid transparent}
.banner nav a:hover{text-decoration:underline}
.banner nav a[aria-current="page"]{border-bottom-color:#fff;font-weight:600}
main{max-width:80rem;margin:0 auto;padding:1rem}
main:focus{outline:none}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.125rem;line-height:1.3;margin:1.75rem 0 .5rem;overflow-wrap:anywhere}
h3{font-size:1rem;margin:0;overflow-wrap:anywhere}
p{margin:0 0 1rem}
code{font:.875em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.muted{color:#424a53}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.links{display:flex;flex-wrap:wrap;gap:.125rem 1rem;list-style:none;margin:0;padding:0}
.links li{display:flex;gap:.375rem;align-items:baseline;min-width:0;overflow-wrap:anywhere}
.note-inline{color:#6e4c00;font-weight:600}
.error-inline{color:#a40e26;font-weight:600}
.alert{margin:0 0 1rem}
.alert p{margin:0;background:#ffebe9;border:1px solid #cf222e;border-radius:6px;padding:.625rem .875rem;overflow-wrap:anywhere}
.error{background:#ffebe9;border:1px solid #cf222e;border-radius:6px;padding:.625rem .875rem;overflow-wrap:anywhere}
.note{background:#fff8c5;border:1px solid #9a6700;border-radius:6px;padding:.625rem .875rem;overflow-wrap:anywhere}
.filter{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:0 0 1rem}
.filter div{display:flex;flex-direction:column;flex:1 1 12rem;min-width:0;max-width:24rem}
.filter .check{flex-direction:row;align-items:center;gap:.5rem;flex:0 1 auto;padding:.375rem 0}
label{font-weight:600}
input,select,textarea,button{font:inherit}
input[type=text],select,textarea{padding:.375rem .5rem;border:1px solid #6e7781;border-radius:6px;background:#fff;color:#1f2328;width:100%;min-width:0}
input[type=checkbox]{width:1.125rem;height:1.125rem;margin:0;accent-color:#0969da}
textarea{font:.875rem/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;min-height:14rem;resize:vertical}
textarea[aria-invalid=true]{border-color:#cf222e;border-width:2px}
button,.button{display:inline-block;padding:.375rem 1rem;border:1px solid #1f2328;border-radius:6px;background:#1f2328;color:#fff;cursor:pointer;text-decoration:none;line-height:1.5}
button:hover,.button:hover{background:#32383f;color:#fff}
button.secondary,.button.secondary{background:#fff;color:#1f2328;border-color:#6e7781}
button.secondary:hover,.button.secondary:hover{background:#eaeef2;color:#1f2328}
button.danger{background:#fff;color:#a40e26;border-color:#a40e26}
button.danger:hover{background:#ffebe9}
button[disabled]{opacity:.6;cursor:progress}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0 0 1rem}
.field{margin:0 0 1rem}
.field label{display:block;margin-bottom:.25rem}
.hint{color:#424a53;font-size:.875rem;margin:.25rem 0 0}
.field-error{color:#a40e26;font-weight:600;margin:.25rem 0 0}
.field-error:empty{display:none}
.result:empty{display:none}
.result{margin:.5rem 0 0}
.rows{list-style:none;margin:0;padding:0;background:#fff;border:1px solid #d0d7de;border-radius:6px}
.rows>li{padding:.625rem .875rem;border-top:1px solid #d0d7de;min-width:0}
.rows>li:first-child{border-top:0}
.rows>li>h2{margin-top:0}
.row-head{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline;min-width:0}
.row-head a,.row-head strong{font-weight:600;overflow-wrap:anywhere;min-width:0}
.meta{display:flex;flex-wrap:wrap;gap:0 1.5rem;margin:.25rem 0 0;color:#424a53;font-size:.875rem}
.meta div{display:flex;gap:.375rem;min-width:0;max-width:100%}
.meta dt{font-weight:600;flex:none}
.meta dd{margin:0;min-width:0;overflow-wrap:anywhere}
.empty{color:#424a53;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem}
.fields{display:grid;grid-template-columns:minmax(0,1fr);margin:0 0 1rem;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.5rem .875rem}
.fields>div{display:grid;grid-template-columns:minmax(0,1fr);padding:.375rem 0;border-top:1px solid #eaeef2;min-width:0}
.fields>div:first-child{border-top:0}
.fields dt{font-weight:600;overflow-wrap:anywhere}
.fields dd{margin:0;overflow-wrap:anywhere;min-width:0}
.fields ul{margin:0;padding-left:1.25rem}
@media (min-width:40rem){.fields>div{grid-template-columns:minmax(8rem,14rem) minmax(0,1fr);gap:1rem}}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.625rem .75rem;font:.8125rem/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;max-height:28rem;overflow-y:auto}
details{margin:.5rem 0 0}
summary{cursor:pointer;padding:.125rem 0;color:#0550ae;font-weight:600}
details pre{margin-top:.375rem}
.badge{display:inline-block;border-radius:1rem;padding:0 .5rem;font-size:.8125rem;font-weight:600;border:1px solid;white-space:nowrap}
.s-queued{color:#424a53;background:#f6f8fa;border-color:#6e7781}
.s-running{color:#0550ae;background:#ddf4ff;border-color:#0969da}
.s-completed,.o-ok{color:#116329;background:#dafbe1;border-color:#1a7f37}
.s-failed,.o-error{color:#a40e26;background:#ffebe9;border-color:#cf222e}
.s-cancelled,.s-skipped,.o-other{color:#6e4c00;background:#fff8c5;border-color:#9a6700}
.steps{list-style:none;margin:0;padding:0;background:#fff;border:1px solid #d0d7de;border-radius:6px}
.steps>li{padding:.625rem .875rem;border-top:1px solid #d0d7de;min-width:0}
.steps>li:first-child{border-top:0}
.attempts{list-style:none;margin:.375rem 0 0;padding:0}
.attempts li{margin:.25rem 0 0;min-width:0}
.bar{display:block;width:100%;height:.75rem;background:#f6f8fa;border:1px solid #d0d7de;border-radius:3px}
.bar .ok{fill:#1a7f37}
.bar .error{fill:#cf222e}
.bar .other{fill:#0969da}
.bar .gap{fill:#d4a72c}
.attempt-text{margin:.125rem 0 0;font-size:.875rem;color:#424a53;overflow-wrap:anywhere}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.875rem;color:#424a53;margin:0 0 .5rem;padding:0;list-style:none}
.legend svg{vertical-align:middle;margin-right:.25rem}
.live{font-size:.875rem;color:#424a53}
.split{display:grid;grid-template-columns:minmax(0,1fr);gap:0 2rem}
@media (min-width:64rem){.split{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}}
`;

// Progressive enhancement only: every page reads fine without it. It (1) keeps the parts of a page
// marked `data-live` current through one server-sent-events stream (`/ui/live`), which speaks only
// when the engine's state changed, and re-reads the page at most once at a time; (2) sends the
// state-changing actions as JSON with the `x-engine-ui` header (the engine refuses cross-site
// POSTs); (3) sends the JSON editors' contents.
export const JS = `"use strict";
(function () {
  var live = function () { return Array.prototype.slice.call(document.querySelectorAll("[data-live]")); };
  var source = null;
  var busy = false, again = false;

  function focusKey(el) {
    if (!el || el === document.body) return null;
    if (el.id) return "#" + CSS.escape(el.id);
    var href = el.getAttribute && el.getAttribute("href");
    return href ? 'a[href="' + CSS.escape(href) + '"]' : null;
  }

  function swap(doc) {
    live().forEach(function (el) {
      var next = doc.getElementById(el.id);
      if (!next) return;
      if (next.innerHTML !== el.innerHTML) {
        var key = el.contains(document.activeElement) ? focusKey(document.activeElement) : null;
        var open = Array.prototype.slice.call(el.querySelectorAll("details[open][id]")).map(function (d) { return d.id; });
        el.innerHTML = next.innerHTML;
        open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
        if (key) { var f = el.querySelector(key); if (f) f.focus(); }
      }
      if (!next.hasAttribute("data-live")) el.removeAttribute("data-live");
    });
    if (!live().length && source) { source.close(); source = null; setLiveNote("Finished: no longer updating."); }
  }

  function setLiveNote(text) {
    var note = document.getElementById("live-note");
    if (note) note.textContent = text;
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { headers: { accept: "text/html" }, cache: "no-store" })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) { if (html) swap(new DOMParser().parseFromString(html, "text/html")); })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; setTimeout(refresh, 250); }
      });
  }

  if (live().length && window.EventSource) {
    source = new EventSource("/ui/live");
    source.addEventListener("change", refresh);
    source.addEventListener("open", function () { setLiveNote("Live: updates as the engine works."); });
    source.addEventListener("error", function () { setLiveNote("Live updates paused: reconnecting…"); });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-engine-ui": "1" },
      body: JSON.stringify(body === undefined ? {} : body),
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { ok: res.ok, data: data }; });
    });
  }

  function say(id, text) {
    var el = id && document.getElementById(id);
    if (el) el.textContent = text;
  }

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("button[data-action]");
    if (!btn) return;
    e.preventDefault();
    var out = btn.getAttribute("data-result");
    btn.disabled = true;
    say(out, btn.getAttribute("data-pending") || "Working…");
    post(btn.getAttribute("data-action"), btn.hasAttribute("data-body") ? JSON.parse(btn.getAttribute("data-body")) : undefined)
      .then(function (r) {
        btn.disabled = false;
        if (!r.ok) { say(out, (r.data && r.data.error) || "That did not work."); return; }
        say(out, r.data.message || "Done.");
        if (r.data.location) { location.assign(r.data.location); return; }
        // A button the refresh will take away (Cancel on a run that has ended) hands focus to
        // the message that says what happened.
        if (btn.hasAttribute("data-focus-result")) {
          var msg = document.getElementById(out);
          if (msg) { msg.setAttribute("tabindex", "-1"); msg.focus(); }
        }
        refresh();
      })
      .catch(function () { btn.disabled = false; say(out, "The engine did not answer."); });
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-json-form")) return;
    e.preventDefault();
    var area = form.querySelector("textarea");
    var err = document.getElementById(area.getAttribute("aria-describedby").split(" ")[0]);
    var out = form.getAttribute("data-result");
    var value;
    try { value = JSON.parse(area.value); }
    catch (x) {
      area.setAttribute("aria-invalid", "true");
      err.textContent = "This is not valid JSON: " + x.message;
      area.focus();
      return;
    }
    area.removeAttribute("aria-invalid");
    err.textContent = "";
    var btn = form.querySelector("button[type=submit]");
    btn.disabled = true;
    say(out, "Sending…");
    post(form.getAttribute("action"), value).then(function (r) {
      btn.disabled = false;
      if (!r.ok) {
        say(out, "");
        area.setAttribute("aria-invalid", "true");
        err.textContent = (r.data && r.data.error) || "The engine refused it.";
        area.focus();
        return;
      }
      say(out, r.data.message || "Sent.");
      if (r.data.location) location.assign(r.data.location);
    }).catch(function () { btn.disabled = false; say(out, "The engine did not answer."); });
  });
})();
`;
