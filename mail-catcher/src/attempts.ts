// In-memory log of sending-API requests, so a test can assert "503, 503, then 200" for one
// address. Bounded, and not persisted: it describes this process's traffic, not the mailbox.
import type { Attempt } from "./types";
import { normalizeAddress } from "./addresses";

const MAX_ATTEMPTS = 10_000;

export class AttemptLog {
  private items: Attempt[] = [];
  private seq = 0;

  record(attempt: Omit<Attempt, "seq">): Attempt {
    const entry = { seq: ++this.seq, ...attempt };
    this.items.push(entry);
    if (this.items.length > MAX_ATTEMPTS) this.items.splice(0, this.items.length - MAX_ATTEMPTS);
    return entry;
  }

  /** Oldest first; `to` keeps the requests that named that address as any recipient. */
  list(filter: { to?: string } = {}): Attempt[] {
    const wanted = filter.to ? normalizeAddress(filter.to) : null;
    return this.items.filter((a) => wanted === null || a.recipients.includes(wanted));
  }

  clear(): void {
    this.items = [];
  }
}
