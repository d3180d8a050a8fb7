import type { Metadata } from "next";
import Link from "next/link";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { StatusBadge } from "@/components/admin/status-badge";
import { Card } from "@/components/ui/card";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { filterToParams, parseFilter, STATUSES } from "@/lib/dead-letters/filters";
import { listDeadLetters, listFunctionIds } from "@/lib/dead-letters/queries";

export const metadata: Metadata = { title: "Dead letters" };

export default async function DeadLettersPage({ searchParams }: PageProps<"/admin/dead-letters">) {
  await requirePageAccess("ADMIN", "/admin/dead-letters");
  const params = await searchParams;
  const { filter, ignored } = parseFilter(params);
  const cursor = typeof params.cursor === "string" ? params.cursor : undefined;
  const [{ rows, nextCursor }, functions] = await Promise.all([listDeadLetters(filter, cursor), listFunctionIds()]);
  const query = filterToParams(filter);
  const nextParams = new URLSearchParams(query);
  if (nextCursor) nextParams.set("cursor", nextCursor);
  const toDateInput = (d?: Date) => (d ? d.toISOString().slice(0, 16) : "");

  return (
    <div className="flex flex-col gap-6">
      <AutoRefresh active={rows.some((r) => r.status === "RETRYING")} />
      <h1 className="text-2xl font-bold">Dead letters</h1>
      {ignored.length ? (
        <p role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-200">
          Ignored invalid filter value{ignored.length > 1 ? "s" : ""}: {[...new Set(ignored)].join(", ")}.
        </p>
      ) : null}

      <Card>
        <form method="get" className="grid grid-cols-2 gap-3 text-sm md:grid-cols-6" aria-label="Filter dead letters">
          <label className="flex flex-col gap-1">
            Status
            <select name="status" defaultValue={filter.status ?? "ALL"} className="rounded-lg border border-slate-300 px-2 py-1.5">
              <option value="ALL">All</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.toLowerCase()}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1">
            Function
            <select name="functionId" defaultValue={filter.functionId ?? ""} className="rounded-lg border border-slate-300 px-2 py-1.5">
              <option value="">All</option>
              {functions.map((f) => (
                <option key={f.functionId} value={f.functionId}>
                  {f.functionName}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1 md:col-span-2">
            Error contains
            <input name="q" defaultValue={filter.q ?? ""} placeholder="e.g. 422 or rejected" className="rounded-lg border border-slate-300 px-2 py-1.5" />
          </label>
          <label className="flex flex-col gap-1">
            Failed after (UTC)
            <input type="datetime-local" name="from" defaultValue={toDateInput(filter.from)} className="rounded-lg border border-slate-300 px-2 py-1.5" />
          </label>
          <label className="flex flex-col gap-1">
            Failed before (UTC)
            <input type="datetime-local" name="to" defaultValue={toDateInput(filter.to)} className="rounded-lg border border-slate-300 px-2 py-1.5" />
          </label>
          <div className="col-span-2 flex items-end gap-3 md:col-span-6">
            <button type="submit" className="rounded-lg bg-slate-900 px-4 py-1.5 font-semibold text-white">
              Apply filters
            </button>
            <Link href="/admin/dead-letters" className="text-slate-600 hover:underline">
              Clear
            </Link>
            <span className="ml-auto flex gap-3">
              <Link href={`/admin/dead-letters/bulk?kind=retry&${query}`} className="rounded-lg px-3 py-1.5 font-medium text-indigo-700 ring-1 ring-indigo-200 hover:bg-indigo-50">
                Retry all matching…
              </Link>
              <Link href={`/admin/dead-letters/bulk?kind=resolve&${query}`} className="rounded-lg px-3 py-1.5 font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
                Resolve all matching…
              </Link>
            </span>
          </div>
        </form>
      </Card>

      <form method="get" action="/admin/dead-letters/bulk" aria-label="Selected dead letters">
        <Card>
          {rows.length ? (
            <table className="w-full text-sm" data-testid="dead-letter-table">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="w-8 py-2">
                    <span className="sr-only">Select</span>
                  </th>
                  <th className="py-2 font-medium">Function</th>
                  <th className="py-2 font-medium">Error</th>
                  <th className="py-2 pr-4 text-right font-medium">Attempts</th>
                  <th className="py-2 pr-4 font-medium">Last failure (UTC)</th>
                  <th className="py-2 font-medium">Status</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id} className="border-t border-slate-100 align-top" data-testid="dead-letter-row" data-id={row.id}>
                    <td className="py-2">
                      <input type="checkbox" name="ids" value={row.id} aria-label={`Select ${row.id}`} />
                    </td>
                    <td className="py-2 pr-4">
                      <Link href={`/admin/dead-letters/${row.id}`} className="font-medium text-indigo-700 hover:underline">
                        {row.functionName}
                      </Link>
                      <div className="text-xs text-slate-500">{row.eventName}</div>
                    </td>
                    <td className="max-w-md py-2 pr-4">
                      <span className="font-mono text-xs text-slate-500">{row.errorName}</span>
                      <div className="line-clamp-2">{row.errorMessage}</div>
                    </td>
                    <td className="py-2 pr-4 text-right">{row.attempts}</td>
                    <td className="py-2 pr-4 whitespace-nowrap">
                      <time dateTime={row.lastFailedAt.toISOString()}>{row.lastFailedAt.toISOString().replace("T", " ").slice(0, 19)}</time>
                    </td>
                    <td className="py-2">
                      <StatusBadge status={row.status} />
                      {row.status === "RESOLVED" && row.resolvedBy ? (
                        <div className="mt-1 text-xs text-slate-500" data-testid="resolved-by">
                          by {row.resolvedBy}
                          {row.resolutionNote ? <span className="block italic">“{row.resolutionNote}”</span> : null}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="text-sm text-slate-500">No dead letters match.</p>
          )}
          <div className="mt-4 flex items-center gap-3 text-sm">
            <button type="submit" name="kind" value="retry" className="rounded-lg px-3 py-1.5 font-medium ring-1 ring-slate-300 hover:bg-slate-50">
              Retry selected…
            </button>
            <button type="submit" name="kind" value="resolve" className="rounded-lg px-3 py-1.5 font-medium ring-1 ring-slate-300 hover:bg-slate-50">
              Resolve selected…
            </button>
            <span className="ml-auto flex gap-3">
              {cursor ? (
                <Link href={`/admin/dead-letters?${query}`} className="text-indigo-700 hover:underline">
                  First page
                </Link>
              ) : null}
              {nextCursor ? (
                <Link href={`/admin/dead-letters?${nextParams}`} className="text-indigo-700 hover:underline" rel="next">
                  Next page →
                </Link>
              ) : null}
            </span>
          </div>
        </Card>
      </form>
    </div>
  );
}
