// Dead-letter list filters: parsed from the URL, shown back in the form, frozen into bulk actions.
// Plain module (no server-only): the filter form renders from it too.
import { z } from "zod";
import { plainText } from "@/lib/text";

export const STATUSES = ["OPEN", "RETRYING", "RESOLVED"] as const;
export type DeadLetterStatusName = (typeof STATUSES)[number];
/** The list opens on this tab; `status=ALL` in the URL shows every status. */
export const DEFAULT_STATUS: DeadLetterStatusName = "OPEN";

export type DeadLetterFilter = {
  /** Absent: every status (the "All" tab). */
  status?: DeadLetterStatusName;
  functionId?: string;
  /** Substring of the error name or message, case-insensitive. */
  q?: string;
  from?: Date;
  to?: Date;
  /** The user the failures are about. */
  userId?: string;
  /** One error group (function + error fingerprint). */
  group?: string;
  /** Explicit selection (checkboxes), for bulk actions on chosen rows. */
  ids?: string[];
};

const fields = {
  status: z.enum(STATUSES),
  functionId: z.string().trim().min(1).max(200).regex(/^[\w.-]+$/),
  // A NUL reached the search's SQL as a 500; any control character is dropped like a bad value.
  q: plainText(z.string().trim().min(1).max(200), "The search"),
  from: z.coerce.date(),
  to: z.coerce.date(),
  userId: z.guid(),
  group: z.string().regex(/^[0-9a-f]{32}$/),
};

type Params = Record<string, string | string[] | undefined>;

/**
 * Reads filters from search params. A tampered or malformed value is dropped and reported, never
 * an error page: the admin sees the list without it and a note saying what was ignored.
 */
export function parseFilter(params: Params): { filter: DeadLetterFilter; ignored: string[] } {
  const filter: DeadLetterFilter = {};
  const ignored: string[] = [];
  for (const key of Object.keys(fields) as (keyof typeof fields)[]) {
    const raw = params[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (key === "status" && value === "ALL") continue;
    if (value === undefined || value === "") {
      if (key === "status") filter.status = DEFAULT_STATUS;
      continue;
    }
    const parsed = fields[key].safeParse(value);
    if (parsed.success && !(parsed.data instanceof Date && Number.isNaN(parsed.data.getTime()))) {
      (filter as Record<string, unknown>)[key] = parsed.data;
    } else {
      ignored.push(key);
      if (key === "status") filter.status = DEFAULT_STATUS;
    }
  }
  if (filter.from && filter.to && filter.from > filter.to) {
    ignored.push("from", "to");
    delete filter.from;
    delete filter.to;
  }
  return { filter, ignored };
}

/** Back to URL search params (for links, pagination and the bulk confirmation page). */
export function filterToParams(filter: DeadLetterFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (!filter.status) params.set("status", "ALL");
  else if (filter.status !== DEFAULT_STATUS) params.set("status", filter.status);
  if (filter.functionId) params.set("functionId", filter.functionId);
  if (filter.q) params.set("q", filter.q);
  if (filter.from) params.set("from", filter.from.toISOString());
  if (filter.to) params.set("to", filter.to.toISOString());
  if (filter.userId) params.set("userId", filter.userId);
  if (filter.group) params.set("group", filter.group);
  return params;
}

/** Only the filters the counters (dead_letter_groups) can answer exactly: status, function, group. */
export function countableByCounters(filter: DeadLetterFilter & { before?: Date }): boolean {
  return !filter.q && !filter.from && !filter.to && !filter.userId && !filter.ids && !filter.before;
}

/** The stored (JSON) form of a filter, for bulk actions. */
export const storedFilterSchema = z.object({
  status: z.enum(STATUSES).optional(),
  functionId: z.string().optional(),
  q: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  userId: z.guid().optional(),
  group: z.string().optional(),
  ids: z.array(z.uuid()).max(500).optional(),
  /** Only letters that existed when the admin confirmed. */
  before: z.coerce.date(),
});
export type StoredFilter = z.infer<typeof storedFilterSchema>;

/** Names for what the ids in a filter point at (a group's pattern, a user's email), when known. */
export type FilterLabels = { group?: string; user?: string };

export function describeFilter(filter: DeadLetterFilter, labels: FilterLabels = {}): string {
  const parts: string[] = [];
  if (filter.ids) parts.push(`${filter.ids.length} selected`);
  parts.push(filter.status ? `status ${filter.status.toLowerCase()}` : "any status");
  if (filter.functionId) parts.push(`function ${filter.functionId}`);
  if (filter.group) parts.push(`error group “${labels.group ?? filter.group}”`);
  if (filter.userId) parts.push(`about ${labels.user ?? `user ${filter.userId}`}`);
  if (filter.q) parts.push(`error contains “${filter.q}”`);
  if (filter.from) parts.push(`failed after ${filter.from.toISOString()}`);
  if (filter.to) parts.push(`failed before ${filter.to.toISOString()}`);
  return parts.join(", ");
}
