import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { RetryAfterError } from "inngest";
import { db } from "@/lib/db";
import { mailPaceSettings, type MailPaceSettings } from "@/lib/env";

/**
 * Email at the provider's pace (Resend: 2 requests per second per team, every key together).
 * Two layers, because Inngest's `throttle` is per function and paces run *starts* only:
 *
 * 1. `throttle` on every sending function (`throttleFor`), keyed on the provider: it keeps a burst
 *    of runs out of the queue so they start at the rate they can be sent. Each transactional
 *    function may start at the full rate (a burst of sign-ups is sent at the provider's rate when
 *    nothing else is sending); the digest's batches at `rate × RESEND_BULK_SHARE`.
 * 2. The pacer (`reserveSendSlot`): one GCRA in PostgreSQL shared by every function and app
 *    instance, taken right before each provider request, so the total stays under the rate when
 *    several functions send at once. Transactional mail queues first-come; a bulk request is only
 *    given a slot when no transactional mail is queued ahead (and never above its own share), so a
 *    verification email during a 10,000-member digest waits for at most one batch's slot.
 *
 * A 429 that still happens (another system on the same Resend team) is a RetryAfterError.
 */

export type Lane = "transactional" | "bulk";

/** The provider's key for every lane: one throttle key, one pacer row. */
export const PROVIDER_KEY = "resend";
const BULK_KEY = `${PROVIDER_KEY}:bulk`;

/**
 * Slots of the shared lane are spaced 15 % wider than the rate. Resend-like limits count in fixed
 * one-second windows that open with a request; a request leaves a little after its slot (timers and
 * the event loop on a busy machine, a new connection), and if the first of a window is late by more
 * than the spacing's slack, rate + 1 requests land in that window. 15 % leaves 150 ms of slack per
 * window (measured: 5 % still let a 429 through under a burst on the shared 2-core machine).
 */
const SPACING = 1.15;
/** A transactional send waits in its step at most this long for its slot; beyond it, a RetryAfterError. */
const MAX_INLINE_WAIT_MS = 20_000;

/** `limit` runs per `period` (whole seconds, as Inngest needs): the largest rate ≤ `perSecond`. */
export function limitPerPeriod(perSecond: number): { limit: number; periodSeconds: number } {
  let best = { limit: 1, periodSeconds: 60 };
  for (let periodSeconds = 1; periodSeconds <= 60; periodSeconds++) {
    const limit = Math.floor(perSecond * periodSeconds + 1e-9);
    if (limit >= 1 && limit / periodSeconds > best.limit / best.periodSeconds + 1e-9) best = { limit, periodSeconds };
  }
  return best;
}

/** The lane's rate in requests per second. */
export function laneRate(lane: Lane, settings: MailPaceSettings = mailPaceSettings()): number {
  return lane === "bulk" ? settings.requestsPerSecond * settings.bulkShare : settings.requestsPerSecond;
}

/**
 * The Inngest `throttle` for a function that sends in `lane`: keyed on the provider, no burst
 * (from idle `limit` runs may start at once, then one every period/limit).
 */
export function throttleFor(lane: Lane, settings: MailPaceSettings = mailPaceSettings()) {
  const { limit, periodSeconds } = limitPerPeriod(laneRate(lane, settings));
  return { key: `"${PROVIDER_KEY}"`, limit, period: `${periodSeconds}s` as const, burst: 0 };
}

/** `waitMs` is counted from `at` (performance.now() when the reservation was asked for). */
export type Slot = { granted: true; waitMs: number; at: number; askedMs: number } | { granted: false; retryInMs: number };

/**
 * Reserves the next provider request slot for `lane`, or says how long until one could be had.
 * One statement per call against the shared rows (created on first use); the database's clock, so
 * app instances agree. `maxWaitMs`: a slot further away than this is not reserved.
 */
export async function reserveSlot(lane: Lane, maxWaitMs: number, settings: MailPaceSettings = mailPaceSettings()): Promise<Slot> {
  const at = performance.now();
  const slot = await reserve(lane, maxWaitMs, settings);
  return slot.granted ? { ...slot, at, askedMs: performance.now() - at } : slot;
}

async function reserve(lane: Lane, maxWaitMs: number, settings: MailPaceSettings): Promise<{ granted: true; waitMs: number } | { granted: false; retryInMs: number }> {
  const emission = Math.ceil((1000 / settings.requestsPerSecond) * SPACING);
  // The bulk lane's own spacing needs no slack: the shared lane keeps the provider's window.
  const bulkEmission = Math.ceil(1000 / laneRate("bulk", settings));
  if (lane === "transactional") {
    await ensurePaceRows();
    const rows = await db.$queryRaw<{ now_ms: bigint; slot_ms: bigint }[]>`
      with n as (select (extract(epoch from clock_timestamp()) * 1000)::bigint as ms),
      old as (select tat_ms from mail_pace where key = ${PROVIDER_KEY} for update)
      update mail_pace p
      set tat_ms = case when greatest(old.tat_ms, n.ms) - n.ms <= ${maxWaitMs} then greatest(old.tat_ms, n.ms) + ${emission} else old.tat_ms end
      from old, n where p.key = ${PROVIDER_KEY}
      returning n.ms as now_ms, greatest(old.tat_ms, n.ms) as slot_ms`;
    const wait = Number(rows[0]!.slot_ms - rows[0]!.now_ms);
    return wait <= maxWaitMs ? { granted: true, waitMs: wait } : { granted: false, retryInMs: wait };
  }
  // Bulk: a slot only when no transactional request is queued beyond the next slot, and not
  // before the bulk lane's own next slot (its share of the rate).
  await ensurePaceRows();
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ key: string; tat_ms: bigint; now_ms: bigint }[]>`
      select key, tat_ms, (extract(epoch from clock_timestamp()) * 1000)::bigint as now_ms
      from mail_pace where key in (${PROVIDER_KEY}, ${BULK_KEY}) order by key for update`;
    const now = Number(rows[0]!.now_ms);
    const total = Number(rows.find((r) => r.key === PROVIDER_KEY)!.tat_ms);
    const bulk = Number(rows.find((r) => r.key === BULK_KEY)!.tat_ms);
    const queuedAhead = total - now > emission;
    const slot = Math.max(now, total, bulk);
    if (queuedAhead || slot - now > maxWaitMs) {
      // Back when the transactional queue is down to its next slot, or at the bulk lane's own slot.
      return { granted: false as const, retryInMs: Math.max(50, queuedAhead ? total - now - emission : slot - now) };
    }
    await tx.$executeRaw`update mail_pace set tat_ms = case key when ${PROVIDER_KEY} then ${slot + emission}::bigint else ${slot + bulkEmission}::bigint end where key in (${PROVIDER_KEY}, ${BULK_KEY})`;
    return { granted: true as const, waitMs: slot - now };
  });
}

let rowsReady = false;
/** The two rows exist from the first send on (a fresh database has none). */
async function ensurePaceRows(): Promise<void> {
  if (rowsReady) return;
  await db.$executeRaw`insert into mail_pace (key, tat_ms) values (${PROVIDER_KEY}, 0), (${BULK_KEY}, 0) on conflict (key) do nothing`;
  rowsReady = true;
}

/**
 * Before a transactional provider request: waits (inside the step) for its slot, or throws a
 * RetryAfterError when the queue ahead is longer than MAX_INLINE_WAIT_MS (the executor retries
 * then, without holding a request open).
 */
export async function awaitTransactionalSlot(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const slot = await reserveSlot("transactional", MAX_INLINE_WAIT_MS);
    if (!slot.granted) {
      throw new RetryAfterError(`Email provider pace: the next free slot is ${Math.ceil(slot.retryInMs / 1000)} s away`, new Date(Date.now() + slot.retryInMs));
    }
    if (!(await sleptOnTime(slot)) && attempt < MAX_STALE_SLOTS) continue;
    return;
  }
}

/** An answer or a wake-up later than this (a busy pool, a stalled event loop) gives the slot up. */
const STALE_SLOT_MS = 100;
const MAX_STALE_SLOTS = 3;

/**
 * Waits until the slot; false when the slot's time is not known to within STALE_SLOT_MS here (the
 * reservation's answer took that long: the database's "now" may have been any moment of it) or the
 * timer fired that late — a request that leaves late bunches up with the next slot's, and the
 * spacing is what keeps the provider's window under its limit. A late slot is given up, not
 * reused: taking the next free one only lowers the rate.
 */
export async function sleptOnTime(slot: { waitMs: number; at: number; askedMs: number }): Promise<boolean> {
  if (slot.askedMs > STALE_SLOT_MS) return false;
  const due = slot.at + slot.askedMs + slot.waitMs;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  return performance.now() - due <= STALE_SLOT_MS;
}
