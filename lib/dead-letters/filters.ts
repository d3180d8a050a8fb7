// Dead-letter list filters: parsed from the URL, shown back in the form, frozen into bulk actions.
// Plain module (no server-only): the filter form renders from it too.
import { z } from "zod";

export const STATUSES = ["OPEN", "RETRYING", "RESOLVED"] as const;
export type DeadLetterStatusName = (typeof STATUSES)[number];

export type DeadLetterFilter = {
  status?: DeadLetterStatusName;
  functionId?: string;
  /** Substring of the error name or message, case-insensitive. */
  q?: string;
  from?: Date;
  to?: Date;
  /** Explicit selection (checkboxes), for bulk actions on chosen rows. */
  ids?: string[];
};

const fields = {
  status: z.enum(STATUSES),
  functionId: z.string().trim().min(1).max(200).regex(/^[\w.-]+$/),
  q: z.string().trim().min(1).max(200),
  from: z.coerce.date(),
  to: z.coerce.date(),
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
    if (value === undefined || value === "" || (key === "status" && value === "ALL")) continue;
    const parsed = fields[key].safeParse(value);
    if (parsed.success && !(parsed.data instanceof Date && Number.isNaN(parsed.data.getTime()))) {
      (filter as Record<string, unknown>)[key] = parsed.data;
    } else {
      ignored.push(key);
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
  if (filter.status) params.set("status", filter.status);
  if (filter.functionId) params.set("functionId", filter.functionId);
  if (filter.q) params.set("q", filter.q);
  if (filter.from) params.set("from", filter.from.toISOString());
  if (filter.to) params.set("to", filter.to.toISOString());
  return params;
}

/** The stored (JSON) form of a filter, for bulk actions. */
export const storedFilterSchema = z.object({
  status: z.enum(STATUSES).optional(),
  functionId: z.string().optional(),
  q: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  ids: z.array(z.uuid()).max(500).optional(),
  /** Only letters that existed when the admin confirmed. */
  before: z.coerce.date(),
});
export type StoredFilter = z.infer<typeof storedFilterSchema>;

export function describeFilter(filter: DeadLetterFilter): string {
  const parts: string[] = [];
  if (filter.ids) parts.push(`${filter.ids.length} selected`);
  if (filter.status) parts.push(`status ${filter.status.toLowerCase()}`);
  if (filter.functionId) parts.push(`function ${filter.functionId}`);
  if (filter.q) parts.push(`error contains “${filter.q}”`);
  if (filter.from) parts.push(`failed after ${filter.from.toISOString()}`);
  if (filter.to) parts.push(`failed before ${filter.to.toISOString()}`);
  return parts.length ? parts.join(", ") : "all dead letters";
}
