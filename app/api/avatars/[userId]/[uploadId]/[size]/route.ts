import { z } from "zod";
import { getProcessedAvatar } from "@/lib/avatars/renditions";
import { toErrorResponse, methodNotAllowed } from "@/lib/errors";

const params = z.object({ userId: z.uuid(), uploadId: z.uuid(), size: z.enum(["256", "64"]) });

/** Processed renditions only; the raw upload is never served. URLs change with each upload. */
export async function GET(_request: Request, context: RouteContext<"/api/avatars/[userId]/[uploadId]/[size]">) {
  try {
    const parsed = params.safeParse(await context.params);
    if (!parsed.success) return new Response("Not found", { status: 404 });
    const { userId, uploadId, size } = parsed.data;
    const image = await getProcessedAvatar(userId, uploadId, Number(size) as 256 | 64);
    if (!image) return new Response("Not found", { status: 404 });
    return new Response(new Uint8Array(image), {
      headers: { "content-type": "image/webp", "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff" },
    });
  } catch (error) {
    return toErrorResponse(error);
  }
}

const notAllowed = methodNotAllowed(["GET", "HEAD"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
