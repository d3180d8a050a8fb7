import "server-only";
import sharp from "sharp";
import { AppError } from "@/lib/errors";
import { AVATAR_SIZES, type AvatarSize } from "@/lib/avatars/storage";

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
/** 25 megapixels: far beyond any avatar, far below what a decompression bomb asks for. */
export const AVATAR_MAX_PIXELS = 25_000_000;
const FORMATS = new Set(["png", "jpeg", "webp", "gif"]);

export const UNREADABLE_IMAGE = "This file isn't an image we can read. Use a PNG, JPEG, WebP or GIF.";

/**
 * Judges an upload by its bytes, not its name or the browser's MIME type: sharp must recognise the
 * format, the pixel count must be sane (checked from the header, before decoding), and the image
 * must decode to the end (a truncated file fails here, not later in the background).
 */
export async function checkAvatar(data: Buffer): Promise<{ format: string; width: number; height: number }> {
  if (data.length > AVATAR_MAX_BYTES) throw new AppError("payload_too_large", "The avatar must be 5 MB or smaller.", { fieldErrors: { avatar: ["The avatar must be 5 MB or smaller."] } });
  if (data.length === 0) throw new AppError("unprocessable", "The avatar file is empty.", { fieldErrors: { avatar: ["The avatar file is empty."] } });

  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupported();
  }
  if (!meta.format || !FORMATS.has(meta.format) || !meta.width || !meta.height) throw unsupported();
  if (meta.width * meta.height > AVATAR_MAX_PIXELS) {
    const message = `The image is ${meta.width}×${meta.height} pixels; avatars can be at most 25 megapixels.`;
    throw new AppError("unprocessable", message, { fieldErrors: { avatar: [message] } });
  }
  try {
    // Cheap full decode (shrink-on-load where the format allows it) that fails on truncated data.
    await sharp(data, { limitInputPixels: AVATAR_MAX_PIXELS, failOn: "truncated" }).resize(32, 32, { fit: "inside" }).raw().toBuffer();
  } catch {
    const message = "The image looks damaged or incomplete. Try exporting it again.";
    throw new AppError("unprocessable", message, { fieldErrors: { avatar: [message] } });
  }
  return { format: meta.format, width: meta.width, height: meta.height };
}

function unsupported() {
  return new AppError("unsupported_media_type", UNREADABLE_IMAGE, { fieldErrors: { avatar: [UNREADABLE_IMAGE] } });
}

/** Square WebP renditions, EXIF orientation applied and all metadata dropped (sharp's default). */
export async function renderAvatar(data: Buffer): Promise<Record<AvatarSize, Buffer>> {
  const base = sharp(data, { limitInputPixels: AVATAR_MAX_PIXELS, failOn: "truncated", animated: false }).rotate();
  const entries = await Promise.all(
    AVATAR_SIZES.map(async (size) => [size, await base.clone().resize(size, size, { fit: "cover", position: "attention" }).webp({ quality: 82 }).toBuffer()] as const),
  );
  return Object.fromEntries(entries) as Record<AvatarSize, Buffer>;
}
