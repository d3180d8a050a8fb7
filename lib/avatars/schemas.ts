// Plain module (no server-only): the sign-up form and the account page's avatar form check a chosen
// file in the browser with these before it is uploaded; the server judges the bytes again
// (lib/avatars/images.ts), so these only spare the person a pointless upload.

/** The account page's file field, which "Choose another image" (on a failed avatar) opens. */
export const AVATAR_FIELD_ID = "field-avatar";

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
export const AVATAR_ACCEPT = "image/png,image/jpeg,image/webp,image/gif";
export const AVATAR_TOO_BIG = "The avatar must be 5 MB or smaller.";
export const AVATAR_NOT_AN_IMAGE = "This file isn't an image we can read. Use a PNG, JPEG, WebP or GIF.";
export const AVATAR_EMPTY = "The avatar file is empty.";

const startsWith = (bytes: Uint8Array, expected: number[], at = 0) => expected.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

export type AvatarFormat = "png" | "jpeg" | "webp" | "gif";

/**
 * The format a file's first bytes declare, from the four we take, or null. The server decides with
 * it before sharp sees an upload (lib/avatars/images.ts): libvips reads dozens of formats (SVG with
 * its XML parser, TIFF, HEIF, PDF with the right plugins…), and none of those parsers should run
 * on a stranger's upload. The browser asks the same question before uploading.
 */
export function sniffImageFormat(head: Uint8Array): AvatarFormat | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) return "gif";
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8)) return "webp";
  return null;
}

/** Whether a file's first bytes are PNG, JPEG, GIF or WebP. */
export function looksLikeAvatarImage(head: Uint8Array): boolean {
  return sniffImageFormat(head) !== null;
}

/** What is wrong with a chosen file, read in the browser (size, then its first bytes); null when it may be sent. */
export async function avatarFileProblem(file: Pick<Blob, "size" | "slice">): Promise<string | null> {
  if (file.size === 0) return AVATAR_EMPTY;
  if (file.size > AVATAR_MAX_BYTES) return AVATAR_TOO_BIG;
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  return looksLikeAvatarImage(head) ? null : AVATAR_NOT_AN_IMAGE;
}
