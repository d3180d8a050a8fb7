import "server-only";
import { AppError } from "@/lib/errors";
import { AVATAR_MAX_BYTES } from "@/lib/avatars/images";
import { signUpSchema, type SignUpInput } from "@/lib/accounts/schemas";

/** Room for a 5 MB avatar plus the multipart envelope and the text fields. */
export const MAX_SIGN_UP_BODY = AVATAR_MAX_BYTES + 256 * 1024;

const tooLarge = () =>
  new AppError("payload_too_large", "The request is too large: the avatar must be 5 MB or smaller.", {
    fieldErrors: { avatar: ["The avatar must be 5 MB or smaller."] },
  });

/** Reads at most `limit` bytes; a body that announces or turns out to be bigger is refused unread. */
async function readLimited(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * POST /api/users accepts JSON (no avatar) or multipart/form-data (with an optional `avatar` file).
 * Anything else is 415; unreadable JSON is 400; missing or invalid fields are 422 (thrown by zod).
 */
export async function readSignUpRequest(request: Request): Promise<SignUpInput & { avatar: Buffer | null }> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && type !== "multipart/form-data") {
    throw new AppError("unsupported_media_type", "Send the sign-up as application/json or multipart/form-data.");
  }
  const body = await readLimited(request, MAX_SIGN_UP_BODY);

  if (type === "application/json") {
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

  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { "content-type": request.headers.get("content-type")! } }).formData();
  } catch {
    throw new AppError("bad_request", "The multipart body could not be read.");
  }
  const fields = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string"));
  const input = signUpSchema.parse(fields);
  return { ...input, avatar: await avatarFrom(form.get("avatar")) };
}

/** An empty file part is what browsers send when no file was chosen: no avatar. */
export async function avatarFrom(value: FormDataEntryValue | null): Promise<Buffer | null> {
  if (!value || typeof value === "string") return null;
  if (value.size === 0) return null;
  if (value.size > AVATAR_MAX_BYTES) throw tooLarge();
  return Buffer.from(await value.arrayBuffer());
}
