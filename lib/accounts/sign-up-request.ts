import "server-only";
import { AppError } from "@/lib/errors";
import { AVATAR_MAX_BYTES } from "@/lib/avatars/images";
import { AVATAR_TOO_BIG } from "@/lib/avatars/schemas";
import { signUpSchema, type SignUpInput } from "@/lib/accounts/schemas";
import { JSON_SIGN_UP_BODY_MAX, readBodyLimited, readFormLimited, SIGN_UP_BODY_MAX } from "@/lib/request-guards";

const avatarTooLarge = () =>
  new AppError("payload_too_large", "The request is too large: the avatar must be 5 MB or smaller.", {
    fieldErrors: { avatar: [AVATAR_TOO_BIG] },
  });

const jsonTooLarge = () => new AppError("payload_too_large", `A sign-up without an avatar is a few hundred bytes; send at most ${JSON_SIGN_UP_BODY_MAX / 1024} KB.`);

/**
 * POST /api/users accepts JSON (no avatar, at most 16 KB) or multipart/form-data (with an optional
 * `avatar` file, at most 5 MB of it). Anything else is 415; unreadable JSON is 400; missing or
 * invalid fields are 422 (thrown by zod); a body over its cap is 413, refused unread (proxy.ts
 * refuses it by its Content-Length first; this also holds without the proxy).
 */
export async function readSignUpRequest(request: Request): Promise<SignUpInput & { avatar: Buffer | null }> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && type !== "multipart/form-data") {
    throw new AppError("unsupported_media_type", "Send the sign-up as application/json or multipart/form-data.");
  }

  if (type === "application/json") {
    const body = await readBodyLimited(request, JSON_SIGN_UP_BODY_MAX, jsonTooLarge);
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      throw new AppError("bad_request", "The request body is not valid JSON.");
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new AppError("bad_request", "The request body must be a JSON object.");
    if ("avatar" in json) throw new AppError("unprocessable", "Send an avatar as a file in multipart/form-data.", { fieldErrors: { avatar: ["Send the avatar as a multipart file."] } });
    return { ...signUpSchema.parse(json), avatar: null };
  }

  const form = await readFormLimited(request, SIGN_UP_BODY_MAX, avatarTooLarge);
  const fields = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string"));
  const input = signUpSchema.parse(fields);
  return { ...input, avatar: await avatarFrom(form.get("avatar")) };
}

/** An empty file part is what browsers send when no file was chosen: no avatar. */
export async function avatarFrom(value: FormDataEntryValue | null): Promise<Buffer | null> {
  if (!value || typeof value === "string") return null;
  if (value.size === 0) return null;
  if (value.size > AVATAR_MAX_BYTES) throw avatarTooLarge();
  return Buffer.from(await value.arrayBuffer());
}
