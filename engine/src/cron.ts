// Cron triggers. Each sweep looks at the most recent scheduled time ≤ now for every schedule and
// fires it once: the cron_ticks primary key (function, cron, fire_at) makes that true across
// restarts and across engine processes. Ticks missed while the engine was down are not replayed one
// by one: only the most recent missed tick fires (once), older ones are skipped. A tick earlier than
// the schedule's first sync never fires.
import { createHash } from "node:crypto";
import { QUEUE_CHANNEL, type Ctx } from "./context";
import { iso, withTx } from "./db";
import { scheduleRun } from "./ingest";
import type { EventPayload } from "./types";
import { ulid } from "./ulid";

/** Deterministic jitter in [1 s, max) for a tick (0 without jitter), as Inngest's DeterministicJitter. */
export function jitterMs(seed: string, maxMs: number): number {
  if (maxMs <= 1000) return 0;
  const h = createHash("sha256").update(seed).digest().readUInt32BE(0);
  return 1000 + (h % (maxMs - 1000));
}

export class CronScheduler {
  // In-memory "already handled" marks save a database round trip per schedule per sweep.
  private handled = new Map<string, number>();
  private running: Promise<number> | null = null;

  constructor(private readonly ctx: Ctx) {}

  /** Fires due ticks for `now` (the engine clock); returns how many runs were created. */
  tick(): Promise<number> {
    // One sweep at a time per process; callers during a sweep share its result.
    this.running ??= this.sweep().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    const now = this.ctx.clock();
    let fired = 0;
    for (const fn of this.ctx.registry.all()) {
      for (const c of fn.crons) {
        const created = this.ctx.registry.cronCreatedAt(fn.id, c.cron);
        if (created === undefined) continue;
        // previousRuns is strictly before the reference, so +1 ms includes a tick exactly at now.
        const prev = c.schedule.previousRuns(1, new Date(now + 1))[0];
        if (!prev) continue;
        const fireAt = prev.getTime();
        const key = `${fn.id}\n${c.cron}`;
        if (fireAt < created || (this.handled.get(key) ?? -Infinity) >= fireAt) continue;
        const ran = await withTx(this.ctx.db, async (tx) => {
          const eventId = ulid(now);
          const tickRes = await tx.query(
            "insert into cron_ticks (function_id, cron, fire_at, event_id) values ($1, $2, $3, $4) on conflict do nothing",
            [fn.id, c.cron, iso(fireAt), eventId],
          );
          if (!tickRes.rowCount) return false; // another process (or an earlier life of this one) fired it
          const scheduledAt = new Date(fireAt).toISOString().replace(/\.\d{3}Z$/, "Z");
          // Jitter (notes §13.1): the run starts at scheduledAt + [1 s, jitter), stable per tick;
          // the event's ts is that instant.
          const startAt = fireAt + jitterMs(`${fn.id}\n${c.cron}\n${scheduledAt}`, c.jitterMs);
          const event: EventPayload = {
            id: scheduledAt,
            name: "inngest/scheduled.timer",
            data: { cron: c.cron, scheduledAt, fireAt: new Date(startAt).toISOString().replace(/\.\d{3}Z$/, "Z") },
            ts: startAt,
            user: {},
          };
          await tx.query("insert into events (internal_id, id, name, payload, received_at) values ($1, $2, $3, $4, $5)", [
            eventId,
            event.id,
            event.name,
            event,
            iso(now),
          ]);
          // The jitter delay is in engine time (the tick is): passed as is, not derived from ts.
          if (await scheduleRun(this.ctx, tx, fn, eventId, event, undefined, { delayMs: startAt - now })) {
            await tx.query("select pg_notify($1, '')", [QUEUE_CHANNEL]);
          }
          return true;
        });
        this.handled.set(key, fireAt);
        if (ran) {
          fired++;
          this.ctx.log.info("cron fired", { fn: fn.id, cron: c.cron, scheduled_at: iso(fireAt) });
        }
      }
    }
    if (fired) this.ctx.wake();
    return fired;
  }

  /** Next fire times per schedule, for the status page. */
  upcoming(): { function_id: string; cron: string; timezone: string; next_run: string | null }[] {
    const now = new Date(this.ctx.clock());
    return this.ctx.registry.all().flatMap((fn) =>
      fn.crons.map((c) => ({
        function_id: fn.id,
        cron: c.cron,
        timezone: c.timezone,
        next_run: c.schedule.nextRun(now)?.toISOString() ?? null,
      })),
    );
  }
}
