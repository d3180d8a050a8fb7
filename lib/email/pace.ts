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
 * A queue ahead longer than a step may wait sleeps in the executor (PaceWait, inngest/paced-step.ts).
 * A 429 that still happens (another system on the same Resend team) is a RetryAfterError.
 */

export type Lane = "transactional" | "bulk";

/** Emails asked for and not sent yet (the overview: a burst waits at the provider's pace): how many, how many are retrying, the oldest request. */
export type MailBacklog = { waiting: number; retrying: number; oldest: Date | null };

/** The provider's key for every lane: one throttle key, one pacer row. */
export const PROVIDER_KEY = "resend";
const BULK_KEY = `${PROVIDER_KEY}:bulk`;

/**
 * Slots of the shared lane are spaced 25 % wider than the rate. Resend-like limits count in fixed
 * one-second windows that open with a request; a request reaches the provider a little after its
 * slot (timers, the event loop, the SDK, the provider's own queue), and if the first of a window is
 * later than the spacing's slack, rate + 1 requests land in that window. Measured on the shared
 * 2-core machine (load 10–19): 5 % and then 15 % still let a 429 through now and then.
 */
const SPACING = 1.25;
/** A transactional send waits in its step at most this long for its slot; beyond it, a RetryAfterError. */
const MAX_INLINE_WAIT_MS = 20_000;

/**
 * `limit` runs per `period` (whole seconds, as Inngest needs): the largest rate ≤ `perSecond`, with
 * a period of at most `maxPeriodSeconds` (from idle, `limit` runs start at once).
 */
export function limitPerPeriod(perSecond: number, maxPeriodSeconds = 60): { limit: number; periodSeconds: number } {
  let best = { limit: 1, periodSeconds: maxPeriodSeconds };
  for (let periodSeconds = 1; periodSeconds <= maxPeriodSeconds; periodSeconds++) {
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
 * The Inngest `throttle` for a function that sends in `lane`: keyed on the provider, no burst.
 * Transactional functions start at the pacer's own rate (the rate less its slack), so a long burst
 * waits in the executor's throttle list rather than in steps holding a request open; periods of at
 * most 5 s, so from idle only a few start at once.
 */
export function throttleFor(lane: Lane, settings: MailPaceSettings = mailPaceSettings()) {
  const rate = lane === "bulk" ? laneRate("bulk", settings) : settings.requestsPerSecond / SPACING;
  const { limit, periodSeconds } = limitPerPeriod(rate, lane === "bulk" ? 60 : 5);
  return { key: `"${PROVIDER_KEY}"`, limit, period: `${periodSeconds}s` as const, burst: 0 };
}

/** A granted slot is a moment (ms since the epoch, the database's clock) to send at. */
export type Slot = { granted: true; atMs: number } | { granted: false; retryInMs: number };

/**
 * A slot is never sooner than this after the reservation: the answer reaches the step before its
 * slot, so the request leaves on time, not late. At 150 ms, answers on the bench machine at load
 * 10–19 often came later than slot + STALE_SLOT_MS; each such slot is given up, and a given-up bulk
 * slot costs the digest a whole bulk interval (the 10,000-member digest ran at half its rate).
 */
const LEAD_MS = 500;

/**
 * Reserves the next provider request slot for `lane`, or says how long until one could be had.
 * One statement against the shared rows (created on first use), on the database's clock, so every
 * app instance agrees. `maxWaitMs`: a slot further away than this is not reserved.
 */
export async function reserveSlot(lane: Lane, maxWaitMs: number, settings: MailPaceSettings = mailPaceSettings()): Promise<Slot> {
  await ensurePaceRows();
  const emission = Math.ceil((1000 / settings.requestsPerSecond) * SPACING);
  // At most one slot of lead: at a high rate (tests) a send does not wait half a second for nothing.
  const lead = Math.min(LEAD_MS, emission);
  // The bulk lane's own spacing needs no slack: the shared row keeps the provider's window.
  const bulkEmission = lane === "bulk" ? Math.ceil(1000 / laneRate("bulk", settings)) : 0;
  const bulk = lane === "bulk";
  // Transactional: first come, first served. Bulk: only when no transactional request is queued
  // beyond the next slot (a lone transactional reservation sits LEAD_MS + one emission ahead), and
  // not before the bulk row's own next slot (its share of the rate).
  const [row] = await db.$queryRaw<{ now_ms: bigint; total_ms: bigint; slot_ms: bigint; queued: boolean; granted: boolean }[]>`
    with n as (select (extract(epoch from clock_timestamp()) * 1000)::bigint as ms),
    locked as (select key, tat_ms from mail_pace where key in (${PROVIDER_KEY}, ${BULK_KEY}) order by key for update),
    cur as (
      select n.ms as now_ms,
        (select tat_ms from locked where key = ${PROVIDER_KEY}) as total_ms,
        case when ${bulk} then (select tat_ms from locked where key = ${BULK_KEY}) else 0 end as bulk_ms
      from n),
    d as (
      select now_ms, total_ms, greatest(total_ms, bulk_ms, now_ms + ${lead}) as slot_ms,
        (${bulk} and total_ms - now_ms > ${emission + lead}) as queued
      from cur),
    upd as (
      update mail_pace p set tat_ms = case p.key when ${PROVIDER_KEY} then d.slot_ms + ${emission} else d.slot_ms + ${bulkEmission} end
      from d
      where p.key in (${PROVIDER_KEY}, ${bulk ? BULK_KEY : PROVIDER_KEY}) and not d.queued and d.slot_ms - d.now_ms <= ${Math.floor(maxWaitMs) + lead}
      returning 1)
    select now_ms, total_ms, slot_ms, queued, exists (select 1 from upd) as granted from d`;
  const now = Number(row!.now_ms);
  if (row!.granted) return { granted: true, atMs: Number(row!.slot_ms) };
  // Back when the transactional queue is down to its next slot, or at the lane's next slot.
  const retryInMs = row!.queued ? Number(row!.total_ms) - now - emission - lead : Number(row!.slot_ms) - now;
  return { granted: false, retryInMs: Math.max(50, retryInMs) };
}

let rowsReady = false;
/** The two rows exist from the first send on (a fresh database has none). */
async function ensurePaceRows(): Promise<void> {
  if (rowsReady) return;
  await db.$executeRaw`insert into mail_pace (key, tat_ms) values (${PROVIDER_KEY}, 0), (${BULK_KEY}, 0) on conflict (key) do nothing`;
  rowsReady = true;
}

/** A step that wakes (or hears back) later than this after its slot gives the slot up. */
const STALE_SLOT_MS = 50;
/** After this many given-up slots a send goes at the next one anyway (a machine this busy stays busy). */
export const MAX_STALE_SLOTS = 3;

/**
 * Waits until the slot's moment; false when it is already more than STALE_SLOT_MS past (the
 * reservation's answer or the timer came late: a busy machine). A request that leaves late bunches
 * up with the next slot's, and the spacing is what keeps the provider's window under its limit, so
 * a late slot is given up, not used: taking the next free one only lowers the rate.
 */
export async function sleptOnTime(slot: { atMs: number }): Promise<boolean> {
  const wait = slot.atMs - Date.now();
  if (wait > 0) await sleep(wait);
  return Date.now() - slot.atMs <= STALE_SLOT_MS;
}

/**
 * The queue ahead of a transactional send is longer than a step may wait. `pacedStep`
 * (inngest/paced-step.ts) turns it into a sleep in the executor, which spends no attempt; anywhere
 * else it is what it extends, a RetryAfterError (the executor retries at the slot, one attempt).
 */
export class PaceWait extends RetryAfterError {
  constructor(readonly waitMs: number) {
    // Its name stays "RetryAfterError": the SDK recognises that name too, not only the class.
    super(`Email provider pace: the next free slot is ${Math.ceil(waitMs / 1000)} s away`, new Date(Date.now() + waitMs));
  }
}

/** A wait for the provider's pace is not a failed attempt: nothing to count or show as "retrying". */
export const isPaceWait = (error: unknown): error is PaceWait => error instanceof PaceWait;

/**
 * Before a transactional provider request: waits (inside the step) for its slot, or throws
 * PaceWait when the queue ahead is longer than MAX_INLINE_WAIT_MS (the run then sleeps in the
 * executor, without holding a request open).
 */
export async function awaitTransactionalSlot(): Promise<void> {
  for (let stale = 0; ; ) {
    const slot = await reserveSlot("transactional", MAX_INLINE_WAIT_MS);
    if (!slot.granted) throw new PaceWait(slot.retryInMs);
    if ((await sleptOnTime(slot)) || ++stale >= MAX_STALE_SLOTS) return;
  }
}
