import { createElement, type ReactElement } from "react";
import { BadUnsubscribeLink, ConfirmUnsubscribe, Unsubscribed } from "@/components/digest/unsubscribe-page";
import { env } from "@/lib/env";
import { AppError, methodNotAllowed } from "@/lib/errors";
import { CROSS_SITE_MESSAGE, crossSiteReason, readFormLimited, sameSiteOrigins, UNSUBSCRIBE_BODY_MAX } from "@/lib/request-guards";
import { renderEmailHtml } from "@/lib/email/render";
import { checkUnsubscribeLink, unsubscribeByLink, type BadLinkReason } from "@/lib/digest/subscription";

// GET shows a confirmation (never changes anything: scanners and previews fetch links);
// POST unsubscribes — from that button, or a mail client's RFC 8058 one-click POST to the same URL.

const headers = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
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

const plain = (status: number, message: string) => new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });

export async function POST(request: Request): Promise<Response> {
  // A mail provider's one-click POST comes from its servers (no Origin, no Sec-Fetch-Site); a
  // browser page on another site is refused.
  if (crossSiteReason(request.headers, sameSiteOrigins(request, env.APP_URL))) return plain(403, CROSS_SITE_MESSAGE);
  let token = new URL(request.url).searchParams.get("token");
  let form: FormData | null = null;
  try {
    form = await readFormLimited(request, UNSUBSCRIBE_BODY_MAX, () => new AppError("payload_too_large", "too large"));
  } catch (error) {
    if (error instanceof AppError && error.code === "payload_too_large") {
      return plain(413, `An unsubscribe request is a few hundred bytes; send at most ${UNSUBSCRIBE_BODY_MAX / 1024} KB.`);
    }
    // No form body (a one-click POST may send only `List-Unsubscribe=One-Click`): the query has it.
  }
  const fromBody = form?.get("token");
  if (typeof fromBody === "string" && fromBody) token = fromBody;
  const result = await unsubscribeByLink(token);
  if (!result.ok) return badLink(result.reason);
  return html(createElement(Unsubscribed, { appUrl: env.APP_URL }), 200);
}

const notAllowed = methodNotAllowed(["GET", "POST", "HEAD"]);
export { notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
