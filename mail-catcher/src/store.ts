// Durable storage: one JSON file per accepted request ("send record") under <dataDir>/sends/,
// holding its messages and, when the request carried one, its idempotency key and response.
// Writing both in one file makes the rename the single commit point: after a crash a message
// is never stored without its key (which would let a retry store it twice), nor the reverse.
// Everything is loaded into memory at start; the files are the source of truth across restarts.
import { EventEmitter } from "node:events";
import { mkdir, readdir, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { TEMP_PREFIX, syncDir, writeFileAtomic } from "./atomic-file";
import type { Log } from "./logger";
import type { StoredMessage } from "./types";
import { normalizeAddress } from "./addresses";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyRecord {
  key: string;
  fingerprint: string;
  endpoint: string;
  createdAtMs: number;
  responseBody: unknown;
  messageIds: string[];
}

const recordSchema = z.object({
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  created_at: z.string(),
  endpoint: z.string(),
  idempotency: z.object({ key: z.string(), fingerprint: z.string() }).nullable(),
  response: z.object({ status: z.number(), body: z.unknown() }),
  messages: z.array(z.looseObject({ id: z.string(), created_at: z.string(), to: z.array(z.string()) })),
});

type SendRecord = z.infer<typeof recordSchema>;

interface Entry {
  seq: number;
  message: StoredMessage;
  recipients: Set<string>;
}

export interface MessageFilter {
  /** Bare address; matches to, cc or bcc, case-insensitively. */
  to?: string;
}

export class MessageStore {
  /** Emits "change" after every commit or clear, for long-polling readers. */
  readonly events = new EventEmitter();
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new Map<string, IdempotencyRecord>();
  private nextSeq = 1;
  // Commits and clears run one at a time: the file order then matches `seq`, and a clear
  // cannot interleave with a commit that has written its file but not yet indexed it.
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly log: Log,
    private readonly now: () => number,
  ) {
    this.events.setMaxListeners(0);
  }

  static async open(dataDir: string, log: Log, now: () => number): Promise<MessageStore> {
    const store = new MessageStore(path.join(path.resolve(dataDir), "sends"), log, now);
    await mkdir(store.dir, { recursive: true });
    await store.load();
    return store;
  }

  get size(): number {
    return this.entries.size;
  }

  list(filter: MessageFilter = {}): StoredMessage[] {
    const wanted = filter.to ? normalizeAddress(filter.to) : null;
    return [...this.entries.values()]
      .filter((e) => wanted === null || e.recipients.has(wanted))
      .sort((a, b) => b.seq - a.seq)
      .map((e) => e.message);
  }

  get(id: string): StoredMessage | undefined {
    return this.entries.get(id)?.message;
  }

  /** The stored outcome for a key, unless it is older than 24 h (then the key is free again). */
  idempotency(key: string): IdempotencyRecord | undefined {
    const record = this.keys.get(key);
    if (!record) return undefined;
    if (this.now() - record.createdAtMs >= IDEMPOTENCY_TTL_MS) {
      this.keys.delete(key);
      return undefined;
    }
    return record;
  }

  commit(input: {
    endpoint: StoredMessage["endpoint"];
    idempotency: { key: string; fingerprint: string } | null;
    messages: StoredMessage[];
    responseBody: unknown;
  }): Promise<void> {
    return this.serialize(async () => {
      const seq = this.nextSeq++;
      const record: SendRecord = {
        version: 1,
        seq,
        created_at: new Date(this.now()).toISOString(),
        endpoint: input.endpoint,
        idempotency: input.idempotency,
        response: { status: 200, body: input.responseBody },
        messages: input.messages as unknown as SendRecord["messages"],
      };
      const first = input.messages[0]?.id ?? "empty";
      await writeFileAtomic(path.join(this.dir, `${String(seq).padStart(12, "0")}-${first}.json`), JSON.stringify(record));
      this.index(record);
      this.events.emit("change");
    });
  }

  /** Deletes every message and idempotency record. Returns how many messages were removed. */
  clear(): Promise<number> {
    return this.serialize(async () => {
      const count = this.entries.size;
      this.entries.clear();
      this.keys.clear();
      for (const name of await readdir(this.dir)) {
        await unlink(path.join(this.dir, name)).catch(() => {});
      }
      await syncDir(this.dir);
      this.events.emit("change");
      return count;
    });
  }

  /** Resolves once every commit queued so far has finished (used by `stop`). */
  async drain(): Promise<void> {
    await this.queue.catch(() => {});
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  private async load(): Promise<void> {
    const names = (await readdir(this.dir)).sort();
    for (const name of names) {
      const file = path.join(this.dir, name);
      if (name.startsWith(TEMP_PREFIX)) {
        // A write that never reached its rename: the request was never answered 200.
        await unlink(file).catch(() => {});
        continue;
      }
      if (!name.endsWith(".json")) continue;
      try {
        const record = recordSchema.parse(JSON.parse(await readFile(file, "utf8")));
        this.index(record);
        this.nextSeq = Math.max(this.nextSeq, record.seq + 1);
      } catch {
        this.log(`skipping unreadable send record ${file}`);
      }
    }
  }

  private index(record: SendRecord): void {
    const messages = record.messages as unknown as StoredMessage[];
    messages.forEach((message, i) => {
      const recipients = new Set([...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])].map(normalizeAddress));
      // A batch holds at most 100 emails, so this keeps one order across and within records.
      this.entries.set(message.id, { seq: record.seq * 1000 + i, message, recipients });
    });
    if (record.idempotency) {
      this.keys.set(record.idempotency.key, {
        key: record.idempotency.key,
        fingerprint: record.idempotency.fingerprint,
        endpoint: record.endpoint,
        createdAtMs: Date.parse(record.created_at),
        responseBody: record.response.body,
        messageIds: messages.map((m) => m.id),
      });
    }
  }
}
