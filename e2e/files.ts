import sharp from "sharp";

export async function pngAvatar(): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 30, g: 64, b: 175 } } })
    .composite([{ input: Buffer.from('<svg width="320" height="240"><circle cx="160" cy="120" r="80" fill="#f59e0b"/></svg>') }])
    .png()
    .toBuffer();
}

/** A 50-megapixel PNG that compresses to a few kilobytes: a decompression bomb. */
export async function pixelBomb(): Promise<Buffer> {
  return sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: "#000" } }).greyscale().png({ compressionLevel: 9 }).toBuffer();
}
