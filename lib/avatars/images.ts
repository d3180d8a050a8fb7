import "server-only";
import sharp from "sharp";
import { AppError } from "@/lib/errors";
import { AVATAR_SIZES, type AvatarSize } from "@/lib/avatars/storage";
import { AVATAR_EMPTY, AVATAR_MAX_BYTES, AVATAR_NOT_AN_IMAGE, AVATAR_TOO_BIG, sniffImageFormat, type AvatarFormat } from "@/lib/avatars/schemas";

export { AVATAR_MAX_BYTES, sniffImageFormat, type AvatarFormat };

/** 25 megapixels: far beyond any avatar, far below what a decompression bomb asks for. */
export const AVATAR_MAX_PIXELS = 25_000_000;

export const UNREADABLE_IMAGE = AVATAR_NOT_AN_IMAGE;

/**
 * Judges an upload by its bytes, not its name or the browser's MIME type: its magic bytes must be
 * PNG, JPEG, WebP or GIF (anything else is 415 before sharp reads it), sharp must read it as that
 * same format, the pixel count must be sane (checked from the header, before decoding), and the
 * image must decode to the end (a truncated file fails here, not later in the background).
 */
export async function checkAvatar(data: Buffer): Promise<{ format: AvatarFormat; width: number; height: number }> {
  if (data.length > AVATAR_MAX_BYTES) throw new AppError("payload_too_large", AVATAR_TOO_BIG, { fieldErrors: { avatar: [AVATAR_TOO_BIG] } });
  if (data.length === 0) throw new AppError("unprocessable", AVATAR_EMPTY, { fieldErrors: { avatar: [AVATAR_EMPTY] } });

  const format = sniffImageFormat(data);
  if (!format) throw unsupported();

  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupported();
  }
  if (meta.format !== format || !meta.width || !meta.height) throw unsupported();
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
  return { format, width: meta.width, height: meta.height };
}

function unsupported() {
  return new AppError("unsupported_media_type", UNREADABLE_IMAGE, { fieldErrors: { avatar: [UNREADABLE_IMAGE] } });
}

/** Square WebP renditions, EXIF orientation applied and all metadata dropped (sharp's default). */
export async function renderAvatar(data: Buffer): Promise<Record<AvatarSize, Buffer>> {
  // Checked at upload already; an original stored before that check existed gets it here.
  if (!sniffImageFormat(data)) throw new Error("The stored original is not a PNG, JPEG, WebP or GIF");
  const base = sharp(data, { limitInputPixels: AVATAR_MAX_PIXELS, failOn: "truncated", animated: false }).rotate();
  const entries = await Promise.all(
    AVATAR_SIZES.map(async (size) => [size, await base.clone().resize(size, size, { fit: "cover", position: "attention" }).webp({ quality: 82 }).toBuffer()] as const),
  );
  return Object.fromEntries(entries) as Record<AvatarSize, Buffer>;
}
