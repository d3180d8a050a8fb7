import type { Metadata } from "next";
import Link from "next/link";
import { BulkConfirmForm } from "@/components/admin/bulk-confirm-form";
import { Panel } from "@/components/admin/panel";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { findUserById } from "@/lib/accounts/users";
import { describeFilter, filterToParams, parseFilter } from "@/lib/dead-letters/filters";
import { countForConfirmation, getErrorGroup } from "@/lib/dead-letters/queries";
import { z } from "zod";

export const metadata: Metadata = { title: "Bulk action" };

/** The count comes first: nothing is touched until the admin has seen how many rows match. */
export default async function BulkConfirmPage({ searchParams }: PageProps<"/admin/dead-letters/bulk">) {
  await requirePageAccess("ADMIN", "/admin/dead-letters/bulk");
  const params = await searchParams;
  const kind = params.kind === "resolve" ? "resolve" : "retry";
  const { filter, ignored } = parseFilter(params);
  const rawIds = ([] as string[]).concat(params.ids ?? []);
  const ids = rawIds.length ? z.array(z.uuid()).max(500).safeParse(rawIds) : null;
  if (ids && !ids.success) ignored.push("ids");
  if (ids?.success) filter.ids = ids.data;
  // "Retry selected…" with nothing ticked is not "everything": it is nothing.
  const nothingSelected = params.scope === "selected" && !filter.ids;

  const [{ count, approximate }, group, user] = await Promise.all([
    ignored.length || nothingSelected ? { count: 0, approximate: false } : countForConfirmation(filter),
    filter.group ? getErrorGroup(filter.group) : null,
    filter.userId ? findUserById(filter.userId) : null,
  ]);
  const described = describeFilter(filter, { group: group ? `${group.errorName}: ${group.errorPattern}` : undefined, user: user?.email });
  const hidden: Record<string, string> = Object.fromEntries(filterToParams(filter));
  if (filter.ids) hidden.ids = filter.ids.join(",");

  return (
    <div className="mx-auto flex w-full max-w-xl flex-col gap-6">
      <Link href={`/admin/dead-letters?${filterToParams(filter)}`} prefetch={false} className="text-sm text-indigo-700 hover:underline">
        ← Back to the list
      </Link>
      <h1 className="text-2xl font-bold">{kind === "retry" ? "Retry dead letters" : "Resolve dead letters"}</h1>
      <Panel>
        {ignored.length ? (
          <p role="alert" className="text-sm text-red-700">
            The filter has invalid values ({[...new Set(ignored)].join(", ")}). Go back and check it.
          </p>
        ) : nothingSelected ? (
          <p className="text-sm text-slate-700" data-testid="bulk-count">
            Nothing is selected. Go back, tick the rows to {kind}, or choose &ldquo;Select all matching&rdquo;.
          </p>
        ) : count === 0 ? (
          <p className="text-sm text-slate-700" data-testid="bulk-count">No dead letters match ({described}). Nothing to do.</p>
        ) : (
          <div className="flex flex-col gap-4">
            <p className="text-sm break-words" data-testid="bulk-count">
              This will {kind} {approximate ? "about " : ""}<strong>{count}</strong> dead letter{count === 1 ? "" : "s"} ({described}).
              {approximate ? " Counted by the error groups whose message holds the text; the exact number is counted when you confirm." : ""}
              {kind === "retry" ? " Resolved letters and letters with a retry already running are skipped." : " Already resolved letters are skipped."}
            </p>
            <BulkConfirmForm kind={kind} params={hidden} count={count} />
          </div>
        )}
      </Panel>
    </div>
  );
}
