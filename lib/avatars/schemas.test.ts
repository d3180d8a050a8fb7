import { describe, expect, it } from "vitest";
import { AVATAR_EMPTY, AVATAR_NOT_AN_IMAGE, AVATAR_TOO_BIG, avatarFileProblem } from "@/lib/avatars/schemas";
import { sniffImageFormat } from "@/lib/avatars/images";

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const webp = Buffer.concat([Buffer.from("RIFF"), Buffer.from([1, 2, 3, 4]), Buffer.from("WEBPVP8 ")]);

describe("avatarFileProblem (the browser's check before upload)", () => {
  it("accepts the four formats the server takes, by their first bytes", async () => {
    for (const bytes of [png, Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("GIF89a......"), Buffer.from("GIF87a......"), webp]) {
      expect(await avatarFileProblem(new Blob([bytes]))).toBeNull();
      // The same verdict as the server's first check.
      expect(sniffImageFormat(bytes)).not.toBeNull();
    }
  });

  it("refuses an empty file, one over 5 MB, and one that only has an image's name", async () => {
    expect(await avatarFileProblem(new Blob([]))).toBe(AVATAR_EMPTY);
    expect(await avatarFileProblem(new Blob([new Uint8Array(5 * 1024 * 1024 + 1)]))).toBe(AVATAR_TOO_BIG);
    for (const text of ["this is not a picture", "<svg xmlns='http://www.w3.org/2000/svg'/>", "%PDF-1.7"]) {
      expect(await avatarFileProblem(new Blob([text]))).toBe(AVATAR_NOT_AN_IMAGE);
    }
  });
});
