import { after } from "next/server";
import { AVATAR_TOO_BIG } from "@/lib/avatars/schemas";
import { env } from "@/lib/env";
import { AppError, methodNotAllowed, toErrorResponse } from "@/lib/errors";
import { assertSameSite, AVATAR_UPLOAD_BODY_MAX, readFormLimited } from "@/lib/request-guards";
import { requireAccess } from "@/lib/accounts/current-user";
import { avatarUploadLimits } from "@/lib/accounts/limits";
import { enforceLimits } from "@/lib/accounts/rate-limit";
import { replaceAvatar } from "@/lib/avatars/replace";
import { relayOutbox } from "@/lib/outbox/relay";

const tooLarge = () => new AppError("payload_too_large", AVATAR_TOO_BIG, { fieldErrors: { avatar: [AVATAR_TOO_BIG] } });

/**
 * "Choose another image" on the account page: multipart/form-data with one `avatar` file. 202 once
 * the new upload and its event are committed; the account page follows the resize live. A route
 * handler rather than a server action so that this one path may take 5 MB (every action posted
 * from /account shares that page's 16 KB cap; see lib/request-guards.ts).
 */
export async function POST(request: Request) {
  try {
    assertSameSite(request, env.APP_URL);
    const user = await requireAccess("ANY");
    const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "multipart/form-data") throw new AppError("unsupported_media_type", "Send the image as multipart/form-data.");
    await enforceLimits(avatarUploadLimits(user.id));
    const form = await readFormLimited(request, AVATAR_UPLOAD_BODY_MAX, tooLarge);
    const file = form.get("avatar");
    if (!file || typeof file === "string" || file.size === 0) {
      throw new AppError("unprocessable", "Choose an image to upload.", { fieldErrors: { avatar: ["Choose an image to upload."] } });
    }
    const { outboxIds } = await replaceAvatar(user, Buffer.from(await file.arrayBuffer()));
    after(() => relayOutbox({ ids: outboxIds }));
    // A browser without JavaScript posted the form itself: back to the page, which shows the progress.
    if (request.headers.get("sec-fetch-mode") === "navigate") return new Response(null, { status: 303, headers: { location: "/account" } });
    return Response.json({ status: "accepted", message: "Got it: we're processing your new image.", statusUrl: `/api/users/${user.id}/status` }, { status: 202 });
  } catch (error) {
    return toErrorResponse(error);
  }
}

const notAllowed = methodNotAllowed(["POST"]);
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
