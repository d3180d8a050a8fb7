import type { Metadata } from "next";
import Link from "next/link";
import { LiveUpdates } from "@/components/admin/live-updates";
import { RelativeTime } from "@/components/admin/relative-time";
import { SelectionForm } from "@/components/admin/selection-form";
import { StatusBadge } from "@/components/admin/status-badge";
import { StatusTabs } from "@/components/admin/status-tabs";
import { Subject, subjectText } from "@/components/admin/subject";
import { Panel } from "@/components/admin/panel";
import { ScrollBox } from "@/components/admin/scroll-box";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { findUserById } from "@/lib/accounts/users";
import { describeFilter, filterToParams, parseFilter, type DeadLetterFilter } from "@/lib/dead-letters/filters";
import { getErrorGroup, listDeadLetters, listErrorGroups, listFunctionIds, tabCounts, type DeadLetterRow, type ErrorGroupRow, type TabCounts } from "@/lib/dead-letters/queries";

export const metadata: Metadata = { title: "Dead letters" };

const number = new Intl.NumberFormat("en");
const input = "w-full min-w-0 rounded-lg border border-slate-300 px-2 py-1.5";

export default async function DeadLettersPage({ searchParams }: PageProps<"/admin/dead-letters">) {
  await requirePageAccess("ADMIN", "/admin/dead-letters");
  const params = await searchParams;
  const { filter, ignored } = parseFilter(params);
  const view = params.view === "groups" ? "groups" : "list";
  const cursor = typeof params.cursor === "string" ? params.cursor : undefined;
  const now = new Date();
  const [page, groups, counts, functions, group, user] = await Promise.all([
    view === "list" ? listDeadLetters(filter, cursor) : null,
    view === "groups" ? listErrorGroups(filter) : null,
    tabCounts(filter),
    listFunctionIds(),
    filter.group ? getErrorGroup(filter.group) : null,
    filter.userId ? findUserById(filter.userId) : null,
  ]);
  const labels = { group: group?.errorPattern, user: user?.email };

  const query = filterToParams(filter);
  const withView = (p: URLSearchParams) => {
    if (view === "groups") p.set("view", "groups");
    return p;
  };
  const hrefFor = (changes: Record<string, string | null>) => {
    const p = withView(new URLSearchParams(query));
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) p.delete(k);
      else p.set(k, v);
    }
    const s = p.toString();
    return `/admin/dead-letters${s ? `?${s}` : ""}`;
  };
  const show = (n: number | null) => (n === null ? "many" : `${number.format(n)}${counts.capped && n >= 10_000 ? "+" : ""}`);
  const tabs = [
    { key: "OPEN", label: "Open", n: counts.counts.OPEN },
    { key: "RETRYING", label: "Retrying", n: counts.counts.RETRYING },
    { key: "RESOLVED", label: "Resolved", n: counts.counts.RESOLVED },
    { key: "ALL", label: "All", n: counts.total },
  ].map((t) => ({
    key: t.key,
    label: t.label,
    count: show(t.n),
    href: hrefFor({ status: t.key === "OPEN" ? null : t.key, cursor: null }),
    current: (filter.status ?? "ALL") === t.key,
  }));
  const matching = filter.status ? counts.counts[filter.status] : counts.total;
  const toDateInput = (d?: Date) => (d ? d.toISOString().slice(0, 16) : "");
  const inFlight = page ? page.rows.filter((r) => r.status === "RETRYING").map((r) => r.id) : [];

  return (
    <div className="flex flex-col gap-6">
      <LiveUpdates ids={inFlight} />
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold">Dead letters</h1>
          <p className="text-sm text-slate-600" data-testid="total-count">
            {show(counts.total)} in total{describeFilter({ ...filter, status: undefined }, labels) !== "any status" ? ` matching ${describeFilter({ ...filter, status: undefined }, labels).replace(/^any status, /, "")}` : ""}
            {counts.source === "groups" ? " · counted by the error groups whose text matches" : counts.source === "rows" && (counts.capped || counts.total === null) ? " · large counts are not exact" : ""}
          </p>
        </div>
        <div className="flex rounded-lg ring-1 ring-slate-300" role="group" aria-label="View">
          <Link href={hrefFor({ view: null, cursor: null })} prefetch={false} aria-current={view === "list" ? "page" : undefined} className={`rounded-l-lg px-3 py-1.5 text-sm font-medium ${view === "list" ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-50"}`}>
            Each failure
          </Link>
          <Link href={hrefFor({ view: "groups", cursor: null })} prefetch={false} aria-current={view === "groups" ? "page" : undefined} className={`rounded-r-lg px-3 py-1.5 text-sm font-medium ${view === "groups" ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-50"}`}>
            Grouped by error
          </Link>
        </div>
      </div>
      {ignored.length ? (
        <p role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-200">
          Ignored invalid filter value{ignored.length > 1 ? "s" : ""}: {[...new Set(ignored)].join(", ")}.
        </p>
      ) : null}

      <StatusTabs tabs={tabs} label="Status" />

      <Panel>
        <form method="get" className="grid grid-cols-1 gap-3 text-sm sm:grid-cols-2 lg:grid-cols-6" aria-label="Filter dead letters">
          {filter.status !== "OPEN" ? <input type="hidden" name="status" value={filter.status ?? "ALL"} /> : null}
          {view === "groups" ? <input type="hidden" name="view" value="groups" /> : null}
          {filter.userId ? <input type="hidden" name="userId" value={filter.userId} /> : null}
          {filter.group ? <input type="hidden" name="group" value={filter.group} /> : null}
          <label className="flex min-w-0 flex-col gap-1">
            Function
            <select name="functionId" defaultValue={filter.functionId ?? ""} className={input}>
              <option value="">All</option>
              {functions.map((f) => (
                <option key={f.functionId} value={f.functionId}>
                  {f.functionName}
                </option>
              ))}
            </select>
          </label>
          <label className="flex min-w-0 flex-col gap-1 lg:col-span-2">
            Error contains
            <input name="q" defaultValue={filter.q ?? ""} placeholder="e.g. 422 or rejected" className={input} />
          </label>
          <label className="flex min-w-0 flex-col gap-1">
            Failed after (UTC)
            <input type="datetime-local" name="from" defaultValue={toDateInput(filter.from)} className={input} />
          </label>
          <label className="flex min-w-0 flex-col gap-1">
            Failed before (UTC)
            <input type="datetime-local" name="to" defaultValue={toDateInput(filter.to)} className={input} />
          </label>
          <div className="flex items-end gap-3">
            <button type="submit" className="rounded-lg bg-slate-900 px-4 py-1.5 font-semibold text-white">
              Apply filters
            </button>
            <Link href="/admin/dead-letters" prefetch={false} className="py-1.5 text-slate-700 hover:underline">
              Clear
            </Link>
          </div>
          {filter.userId || filter.group ? (
            <p className="text-slate-700 sm:col-span-2 lg:col-span-6" data-testid="scope-note">
              {filter.userId ? (
                <>
                  About <strong>{user ? `${user.name} <${user.email}>` : `user ${filter.userId}`}</strong>{" "}
                  <Link href={hrefFor({ userId: null, cursor: null })} prefetch={false} className="text-indigo-700 underline">
                    (show everyone)
                  </Link>{" "}
                </>
              ) : null}
              {filter.group ? (
                <>
                  In the error group <strong>{group ? `${group.errorName}: ${group.errorPattern}` : filter.group}</strong>{" "}
                  <Link href={hrefFor({ group: null, cursor: null })} prefetch={false} className="text-indigo-700 underline">
                    (all errors)
                  </Link>
                </>
              ) : null}
            </p>
          ) : null}
        </form>
      </Panel>

      {view === "groups" && groups ? (
        <GroupsTable groups={groups} filter={filter} now={now} />
      ) : page ? (
        <Panel padded={false}>
          <SelectionForm
            onPage={page.rows.length}
            matching={matching ?? Number.MAX_SAFE_INTEGER}
            matchingLabel={matching === null ? "" : show(matching)}
            filter={[...query.entries()]}
            canRetry={filter.status !== "RESOLVED"}
            canResolve={filter.status !== "RESOLVED"}
          >
            {page.rows.length ? <LettersTable rows={page.rows} now={now} /> : <p className="p-6 text-sm text-slate-600">No dead letters match.</p>}
          </SelectionForm>
          <div className="flex items-center justify-end gap-4 px-4 py-3 text-sm">
            {cursor ? (
              <Link href={hrefFor({ cursor: null })} prefetch={false} className="text-indigo-700 hover:underline">
                First page
              </Link>
            ) : null}
            {page.nextCursor ? (
              <Link href={hrefFor({ cursor: page.nextCursor })} prefetch={false} className="text-indigo-700 hover:underline" rel="next">
                Next page →
              </Link>
            ) : null}
          </div>
        </Panel>
      ) : null}
    </div>
  );
}

function LettersTable({ rows, now }: { rows: DeadLetterRow[]; now: Date }) {
  return (
    <ScrollBox label="Dead letters">
      <table className="w-full min-w-[52rem] text-sm" data-testid="dead-letter-table">
        <thead className="text-left text-slate-600">
          <tr>
            <th className="w-10 px-4 py-2">
              <span className="sr-only">Select</span>
            </th>
            <th className="px-3 py-2 font-medium">Who / what</th>
            <th className="px-3 py-2 font-medium">Function</th>
            <th className="px-3 py-2 font-medium">Error</th>
            <th className="px-3 py-2 text-right font-medium">Attempts</th>
            <th className="px-3 py-2 font-medium">Last failure</th>
            <th className="px-3 py-2 font-medium">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="border-t border-slate-100 align-top" data-testid="dead-letter-row" data-id={row.id}>
              <td className="px-4 py-2">
                <input type="checkbox" name="ids" value={row.id} className="h-6 w-6 accent-indigo-600" aria-label={`Select ${row.functionName} for ${subjectText(row)}`} />
              </td>
              <td className="max-w-[14rem] px-3 py-2">
                <Subject subject={row} compact />
              </td>
              <td className="min-w-[10rem] px-3 py-2">
                <Link href={`/admin/dead-letters/${row.id}`} prefetch={false} className="font-medium text-indigo-700 hover:underline">
                  {row.functionName}
                </Link>
                <div className="text-xs text-slate-600">{row.eventName}</div>
              </td>
              <td className="max-w-md px-3 py-2">
                <span className="font-mono text-xs text-slate-600">{row.errorName}</span>
                <div className="line-clamp-2 break-words">{row.errorMessage}</div>
              </td>
              <td className="px-3 py-2 text-right">{row.attempts ?? "unknown"}</td>
              <td className="px-3 py-2">
                <RelativeTime date={row.lastFailedAt} now={now} />
              </td>
              <td className="max-w-[12rem] px-3 py-2">
                <StatusBadge status={row.status} />
                {row.status === "RESOLVED" && row.resolvedBy ? (
                  <div className="mt-1 text-xs text-slate-600" data-testid="resolved-by">
                    <span className="block truncate">by {row.resolvedBy}</span>
                    {row.resolutionNote ? (
                      <span className="block truncate italic" title={row.resolutionNote}>
                        “{row.resolutionNote}”
                      </span>
                    ) : null}
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

function GroupsTable({ groups, filter, now }: { groups: ErrorGroupRow[]; filter: DeadLetterFilter; now: Date }) {
  if (!groups.length) return <Panel><p className="text-sm text-slate-600">No dead letters match.</p></Panel>;
  const params = filterToParams(filter);
  const scoped = (key: string, extra: Record<string, string> = {}) => {
    const p = new URLSearchParams(params);
    p.set("group", key);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return p.toString();
  };
  const actionable = filter.status !== "RESOLVED";
  return (
    <Panel padded={false}>
      <ScrollBox label="Error groups">
        <table className="w-full min-w-[52rem] text-sm" data-testid="group-table">
          <thead className="text-left text-slate-600">
            <tr>
              <th className="px-4 py-2 font-medium">Error</th>
              <th className="px-3 py-2 text-right font-medium">Failures</th>
              <th className="px-3 py-2 text-right font-medium">Users</th>
              <th className="px-3 py-2 font-medium">First seen</th>
              <th className="px-3 py-2 font-medium">Last seen</th>
              <th className="px-3 py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.groupKey} className="border-t border-slate-100 align-top" data-testid="group-row" data-group={g.groupKey}>
                <td className="max-w-xl px-4 py-2">
                  <div className="text-xs text-slate-600">{g.functionName}</div>
                  <Link href={`/admin/dead-letters?${scoped(g.groupKey)}`} prefetch={false} className="font-medium text-indigo-700 hover:underline">
                    <span className="font-mono text-xs">{g.errorName}</span> {g.errorPattern}
                  </Link>
                </td>
                <td className="px-3 py-2 text-right font-semibold" data-testid="group-count">
                  {number.format(g.count)}
                </td>
                <td className="px-3 py-2 text-right" data-testid="group-users">
                  {number.format(g.usersCount)}
                </td>
                <td className="px-3 py-2">
                  <RelativeTime date={g.firstSeen} now={now} />
                </td>
                <td className="px-3 py-2">
                  <RelativeTime date={g.lastSeen} now={now} />
                </td>
                <td className="px-3 py-2">
                  {actionable ? (
                    <span className="flex gap-3 whitespace-nowrap">
                      <Link href={`/admin/dead-letters/bulk?${scoped(g.groupKey, { kind: "retry" })}`} prefetch={false} className="font-medium text-indigo-700 hover:underline">
                        Retry group…
                      </Link>
                      <Link href={`/admin/dead-letters/bulk?${scoped(g.groupKey, { kind: "resolve" })}`} prefetch={false} className="font-medium text-slate-700 hover:underline">
                        Resolve group…
                      </Link>
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </Panel>
  );
}

export type { TabCounts };
