import type { Metadata } from "next";
import Link from "next/link";
import { BulkConfirmForm } from "@/components/admin/bulk-confirm-form";
import { Card } from "@/components/ui/card";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { describeFilter, filterToParams, parseFilter } from "@/lib/dead-letters/filters";
import { countDeadLetters } from "@/lib/dead-letters/queries";
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

  const count = ignored.length ? 0 : await countDeadLetters(filter);
  const hidden: Record<string, string> = Object.fromEntries(filterToParams(filter));
  if (filter.ids) hidden.ids = filter.ids.join(",");

  return (
    <div className="mx-auto flex max-w-xl flex-col gap-6">
      <Link href={`/admin/dead-letters?${filterToParams(filter)}`} className="text-sm text-indigo-700 hover:underline">
        ← Back to the list
      </Link>
      <Card title={kind === "retry" ? "Retry dead letters" : "Resolve dead letters"}>
        {ignored.length ? (
          <p role="alert" className="text-sm text-red-700">
            The filter has invalid values ({[...new Set(ignored)].join(", ")}). Go back and check it.
          </p>
        ) : count === 0 ? (
          <p className="text-sm text-slate-600">No dead letters match {describeFilter(filter)}. Nothing to do.</p>
        ) : (
          <div className="flex flex-col gap-4">
            <p className="text-sm" data-testid="bulk-count">
              This will {kind} <strong>{count}</strong> dead letter{count === 1 ? "" : "s"} matching {describeFilter(filter)}.
              {kind === "retry" ? " Resolved letters and letters with a retry already running are skipped." : " Already resolved letters are skipped."}
            </p>
            <BulkConfirmForm kind={kind} params={hidden} count={count} />
          </div>
        )}
      </Card>
    </div>
  );
}
