import "server-only";
import sharp from "sharp";
import { AppError } from "@/lib/errors";
import { AVATAR_SIZES, type AvatarSize } from "@/lib/avatars/storage";
import { AVATAR_MAX_BYTES, AVATAR_NOT_AN_IMAGE } from "@/lib/avatars/schemas";

export { AVATAR_MAX_BYTES };

/** 25 megapixels: far beyond any avatar, far below what a decompression bomb asks for. */
export const AVATAR_MAX_PIXELS = 25_000_000;
export type AvatarFormat = "png" | "jpeg" | "webp" | "gif";

export const UNREADABLE_IMAGE = AVATAR_NOT_AN_IMAGE;

const startsWith = (data: Buffer, bytes: number[], at = 0) => bytes.every((byte, i) => data[at + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The format an upload's first bytes declare, from the four we take, or null. Decided before
 * sharp sees the file: libvips reads dozens of formats (SVG with its XML parser, TIFF, HEIF, PDF
 * with the right plugins…), and none of those parsers should run on a stranger's upload.
 */
export function sniffImageFormat(data: Buffer): AvatarFormat | null {
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(data, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(data, ascii("GIF87a")) || startsWith(data, ascii("GIF89a"))) return "gif";
  if (startsWith(data, ascii("RIFF")) && startsWith(data, ascii("WEBP"), 8)) return "webp";
  return null;
}

/**
 * Judges an upload by its bytes, not its name or the browser's MIME type: its magic bytes must be
 * PNG, JPEG, WebP or GIF (anything else is 415 before sharp reads it), sharp must read it as that
 * same format, the pixel count must be sane (checked from the header, before decoding), and the
 * image must decode to the end (a truncated file fails here, not later in the background).
 */
export async function checkAvatar(data: Buffer): Promise<{ format: AvatarFormat; width: number; height: number }> {
  if (data.length > AVATAR_MAX_BYTES) throw new AppError("payload_too_large", "The avatar must be 5 MB or smaller.", { fieldErrors: { avatar: ["The avatar must be 5 MB or smaller."] } });
  if (data.length === 0) throw new AppError("unprocessable", "The avatar file is empty.", { fieldErrors: { avatar: ["The avatar file is empty."] } });

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
