import sharp from "sharp";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { checkAvatar, sniffImageFormat, UNREADABLE_IMAGE } from "@/lib/avatars/images";

// sharp wrapped in a spy: the point is which files it is never handed.
vi.mock("sharp", async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof sharp }>()).default;
  return { default: vi.fn((...args: Parameters<typeof sharp>) => real(...args)) };
});
const sharpCalls = vi.mocked(sharp);

const real = await vi.importActual<{ default: typeof sharp }>("sharp");
const make = (format: "png" | "jpeg" | "webp" | "gif" | "tiff") =>
  real.default({ create: { width: 40, height: 30, channels: 3, background: "#3355aa" } }).toFormat(format).toBuffer();

const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="red"/></svg>');

async function refusal(data: Buffer): Promise<AppError> {
  const error = await checkAvatar(data).then(() => null, (e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

beforeEach(() => sharpCalls.mockClear());

describe("avatar format by magic bytes", () => {
  it.each(["png", "jpeg", "webp", "gif"] as const)("takes %s", async (format) => {
    const data = await make(format);
    expect(sniffImageFormat(data)).toBe(format);
    expect(await checkAvatar(data)).toEqual({ format, width: 40, height: 30 });
  });

  it("refuses SVG, TIFF, HEIF, BMP, PDF and text with 415 and the field error, before sharp sees them", async () => {
    const files: [string, Buffer][] = [
      ["svg", SVG],
      ["svg with an XML prolog", Buffer.concat([Buffer.from('<?xml version="1.0"?>\n'), SVG])],
      ["tiff", await make("tiff")],
      // An ISO-BMFF `ftyp` box naming HEIC (what an iPhone photo starts with), and AVIF.
      ["heif", Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypheic\0\0\0\0mif1heic"), Buffer.alloc(64)])],
      ["avif", Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from("ftypavif\0\0\0\0avifmif1miaf"), Buffer.alloc(64)])],
      ["bmp", Buffer.concat([Buffer.from("BM"), Buffer.alloc(60)])],
      ["pdf", Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n")],
      ["text", Buffer.from("this is not a picture")],
    ];
    for (const [name, data] of files) {
      sharpCalls.mockClear();
      const error = await refusal(data);
      expect([name, error.status, error.fieldErrors]).toEqual([name, 415, { avatar: [UNREADABLE_IMAGE] }]);
      expect(sharpCalls, name).not.toHaveBeenCalled();
    }
  });

  it("refuses a file whose magic bytes and content disagree", async () => {
    const error = await refusal(Buffer.from("GIF89a but not really a picture"));
    expect(error.status).toBe(415);
    // A PNG signature in front of a JPEG: sharp reads a JPEG, not the PNG the bytes promised.
    const jpeg = await make("jpeg");
    expect((await refusal(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), jpeg]))).status).toBe(415);
  });
});
