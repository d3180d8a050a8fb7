import { z } from "zod";
import { requireAccess } from "@/lib/accounts/current-user";
import { watchDeadLetters, LIVE_LIMIT_MS } from "@/lib/dead-letters/live";
import { toErrorResponse, methodNotAllowed } from "@/lib/errors";

export const dynamic = "force-dynamic";

const idsSchema = z.array(z.uuid()).min(1).max(100);

/**
 * Server-sent events for the dead-letter pages: one stream per open page, watching the letters it
 * shows in flight. It sends `change` once when any of them changes status (the page then
 * re-renders once) and `timeout` after LIVE_LIMIT_MS, then ends: no polling from the browser, no
 * refresh while nothing changes, and never an endless stream.
 */
export async function GET(request: Request) {
  try {
    await requireAccess("ADMIN");
    const ids = idsSchema.parse((new URL(request.url).searchParams.get("ids") ?? "").split(",").filter(Boolean));
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        // Tell EventSource not to reconnect on its own for a while: the page decides.
        controller.enqueue(encoder.encode(`retry: ${LIVE_LIMIT_MS}\n: watching ${ids.length}\n\n`));
        try {
          const result = await watchDeadLetters(ids, { signal: request.signal, heartbeat: () => controller.enqueue(encoder.encode(": keep-alive\n\n")) });
          if (result.kind === "changed") send("change", { ids: result.ids });
          else if (result.kind === "timeout") send("timeout", { afterMs: LIVE_LIMIT_MS });
        } catch {
          if (!request.signal.aborted) send("timeout", { afterMs: 0 });
        } finally {
          try {
            controller.close();
          } catch {
            // the browser already went away
          }
        }
      },
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", "x-accel-buffering": "no" },
    });
  } catch (error) {
    return toErrorResponse(error);
  }
}

const notAllowed = methodNotAllowed(["GET", "HEAD"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
