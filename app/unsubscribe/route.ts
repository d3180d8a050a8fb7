import { createElement, type ReactElement } from "react";
import { BadUnsubscribeLink, ConfirmUnsubscribe, Unsubscribed } from "@/components/digest/unsubscribe-page";
import { env } from "@/lib/env";
import { renderEmailHtml } from "@/lib/email/render";
import { checkUnsubscribeLink, unsubscribeByLink, type BadLinkReason } from "@/lib/digest/subscription";

// GET shows a confirmation (never changes anything: scanners and previews fetch links);
// POST unsubscribes — from that button, or a mail client's RFC 8058 one-click POST to the same URL.

const headers = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

async function html(element: ReactElement, status: number): Promise<Response> {
  return new Response(await renderEmailHtml(element), { status, headers });
}

function badLink(reason: BadLinkReason) {
  return html(createElement(BadUnsubscribeLink, { appUrl: env.APP_URL, reason }), 400);
}

export async function GET(request: Request): Promise<Response> {
  const token = new URL(request.url).searchParams.get("token");
  const link = await checkUnsubscribeLink(token);
  if (!link.ok) return badLink(link.reason);
  return html(createElement(ConfirmUnsubscribe, { token: token!, email: link.email }), 200);
}

export async function POST(request: Request): Promise<Response> {
  let token = new URL(request.url).searchParams.get("token");
  try {
    const form = await request.formData();
    const fromBody = form.get("token");
    if (typeof fromBody === "string" && fromBody) token = fromBody;
  } catch {
    // No form body (a one-click POST may send only `List-Unsubscribe=One-Click`): the query has it.
  }
  const result = await unsubscribeByLink(token);
  if (!result.ok) return badLink(result.reason);
  return html(createElement(Unsubscribed, { appUrl: env.APP_URL }), 200);
}
