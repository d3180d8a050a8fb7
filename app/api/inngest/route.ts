import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/index";
import { methodNotAllowed } from "@/lib/errors";

// The executor calls in here: the local engine in development, Inngest Cloud or a self-hosted
// Inngest in production. Outside dev mode the SDK rejects unsigned requests (INNGEST_SIGNING_KEY).
const handlers = serve({ client: inngest, functions });

/**
 * The SDK parses a POST's or PUT's body as JSON before it checks the signature, and answers a
 * body that is not JSON with a 500 (found by `npm run abuse`). Every executor sends JSON (or
 * nothing), so anything else is refused here with a 400 and a message — whitespace alone too: the
 * SDK skips only an empty body, and parses "  " (a 500, found by a later abuse run).
 */
function jsonOnly(handler: (request: Request, context: unknown) => Promise<Response>) {
  return async (request: Request, context: unknown) => {
    const text = await request.clone().text();
    if (text !== "") {
      try {
        JSON.parse(text);
      } catch {
        return Response.json({ error: { code: "bad_request", message: "The request body is not valid JSON." } }, { status: 400 });
      }
    }
    return handler(request, context);
  };
}

export const GET = handlers.GET;
export const POST = jsonOnly(handlers.POST as (request: Request, context: unknown) => Promise<Response>);
export const PUT = jsonOnly(handlers.PUT as (request: Request, context: unknown) => Promise<Response>);
const notAllowed = methodNotAllowed(["GET", "HEAD", "POST", "PUT"]);
export { notAllowed as PATCH, notAllowed as DELETE };

// A step may resize an image or wait on the mail provider.
export const maxDuration = 60;
