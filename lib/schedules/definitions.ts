// Every scheduled job, defined once. The Inngest functions take their cron trigger and manual
// trigger event from here, and the admin Schedules page lists exactly this, so what the page shows
// is what the executor runs. Plain module: no server-only imports, no database.
import { Cron } from "croner";
import {
  outboxSweepRequested,
  purgeExpiredRequested,
  purgeResolvedDeadLettersRequested,
  staleDeadLetterAlertRequested,
  weeklyDigestRequested,
} from "@/inngest/events";

export type ScheduleDefinition = {
  /** The Inngest function id (stable, dotted); also ScheduledRun.functionId. */
  id: string;
  name: string;
  /** Always with an explicit `TZ=`: the executor otherwise assumes UTC, people assume local time. */
  cron: `TZ=${string} ${string}`;
  /** What it does, in plain words, for the Schedules page and the README. */
  description: string;
  /** The event "Run now" sends (defined in inngest/events.ts); the function accepts it besides its cron. */
  runEvent: string;
};

export const SCHEDULES = {
  purgeExpired: {
    id: "maintenance.purge-expired",
    name: "Purge expired sessions",
    cron: "TZ=UTC 0 2 * * *",
    description: "Every night at 02:00 UTC: deletes expired sessions, ended rate-limit windows, sign-up attempts and verification links older than 7 days, and run records older than 30 days.",
    runEvent: purgeExpiredRequested.name,
  },
  purgeResolvedDeadLetters: {
    id: "dead-letters.purge-resolved",
    name: "Purge resolved dead letters",
    cron: "TZ=UTC 30 2 * * *",
    description: "Every night at 02:30 UTC: deletes resolved dead letters older than the retention period (DEAD_LETTER_RETENTION_DAYS, 30 days by default). Open ones are never purged.",
    runEvent: purgeResolvedDeadLettersRequested.name,
  },
  weeklyDigest: {
    id: "digest.weekly",
    name: "Weekly digest",
    cron: "TZ=UTC 0 8 * * 1",
    description: "Mondays at 08:00 UTC: queues one digest email per member who has not opted out; each is sent at most once per member per ISO week.",
    runEvent: weeklyDigestRequested.name,
  },
  staleDeadLetterAlert: {
    id: "dead-letters.stale-alert",
    name: "Stale dead-letter alert",
    cron: "TZ=UTC 0 9 * * *",
    description: "Every day at 09:00 UTC: if open dead letters older than 24 hours exist, emails every admin a summary grouped by function and error — at most once per admin per day.",
    runEvent: staleDeadLetterAlertRequested.name,
  },
  outboxSweep: {
    id: "outbox.sweep",
    name: "Sweep the outbox",
    cron: "TZ=UTC * * * * *",
    description: "Every minute: re-sends background events the request that created them could not hand to the executor (executor down, process killed).",
    runEvent: outboxSweepRequested.name,
  },
} as const satisfies Record<string, ScheduleDefinition>;

export type ScheduleKey = keyof typeof SCHEDULES;
export type ScheduleId = (typeof SCHEDULES)[ScheduleKey]["id"];

/** In the order the Schedules page lists them. */
export const SCHEDULE_LIST: readonly ScheduleDefinition[] = Object.values(SCHEDULES);

export const SCHEDULE_IDS = SCHEDULE_LIST.map((s) => s.id) as [ScheduleId, ...ScheduleId[]];

const BY_ID = Object.fromEntries(SCHEDULE_LIST.map((s) => [s.id, s])) as Record<ScheduleId, ScheduleDefinition>;

/** The definition behind a known id (parse unknown input with SCHEDULE_IDS first). */
export function scheduleById(id: ScheduleId): ScheduleDefinition {
  return BY_ID[id];
}

/** Splits `TZ=Zone expr` (or `CRON_TZ=`) the way Inngest and the local engine read it: UTC when absent. */
export function parseCron(spec: string): { timezone: string; expression: string } {
  const match = /^(?:CRON_)?TZ=(\S+)\s+(.+)$/.exec(spec.trim());
  return match ? { timezone: match[1]!, expression: match[2]!.trim() } : { timezone: "UTC", expression: spec.trim() };
}

/** The next `count` fire times after `from`, computed in the schedule's own time zone (DST-aware). */
export function nextRuns(spec: string, from: Date, count = 5): Date[] {
  const { timezone, expression } = parseCron(spec);
  return new Cron(expression, { timezone, paused: true }).nextRuns(count, from);
}

/** ISO-8601 week of a moment, in UTC: `2026-W49`. The digest's once-per-week key. */
export function isoWeek(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  // The Thursday of this week decides the year the week belongs to.
  day.setUTCDate(day.getUTCDate() + 4 - (day.getUTCDay() || 7));
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** UTC calendar date `2026-11-29`: the alert's once-per-day key. */
export const utcDate = (at: Date) => at.toISOString().slice(0, 10);

/** Monday 00:00 UTC that starts an ISO week (`2026-W49` → 2026-11-30T00:00Z). */
export function isoWeekStart(week: string): Date {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) throw new Error(`Not an ISO week: ${week}`);
  // 4 January is always in week 1.
  const jan4 = new Date(Date.UTC(Number(match[1]), 0, 4));
  const monday = jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * 86_400_000;
  return new Date(monday + (Number(match[2]) - 1) * 7 * 86_400_000);
}
