import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/env";

/**
 * Where files live. A folder on disk for now; the interface is what object storage (S3, R2…) needs,
 * so swapping it is one new implementation, not a change to callers.
 */
export interface BlobStore {
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
  /** Every file whose key starts with `prefix/` (a folder: `avatars/<userId>`). Nothing there is fine. */
  deleteFolder(prefix: string): Promise<void>;
}

const KEY = /^[a-z0-9][a-z0-9/_.-]*$/;

class FolderStore implements BlobStore {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    // Keys are built by our code, but a path must never escape the folder.
    if (!KEY.test(key) || key.split("/").includes("..")) throw new Error(`Invalid storage key: ${key}`);
    return path.join(this.root, key);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write then rename: a reader never sees half a file, and a crash leaves the old one.
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temp, data);
    await fs.rename(temp, file);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.file(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  async deleteFolder(prefix: string): Promise<void> {
    await fs.rm(this.file(prefix), { recursive: true, force: true });
  }
}

let store: BlobStore | undefined;
export function storage(): BlobStore {
  return (store ??= new FolderStore(path.resolve(/* turbopackIgnore: true */ env.DATA_DIR)));
}

export const avatarKeys = {
  /** Everything a user ever uploaded, and its renditions. */
  folder: (userId: string) => `avatars/${userId}`,
  original: (userId: string, uploadId: string) => `avatars/${userId}/${uploadId}/original`,
  sized: (userId: string, uploadId: string, size: AvatarSize) => `avatars/${userId}/${uploadId}/${size}.webp`,
};

export const AVATAR_SIZES = [256, 64] as const;
export type AvatarSize = (typeof AVATAR_SIZES)[number];
