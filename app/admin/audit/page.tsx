import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { Panel } from "@/components/admin/panel";
import { ScrollBox } from "@/components/admin/scroll-box";
import { RelativeTime } from "@/components/admin/relative-time";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { AUDIT_ACTIONS, actionLabel, TARGET_NAMES, targetHref } from "@/lib/audit/actions";
import { listAudit, listAuditActors, type AuditFilter } from "@/lib/audit/audit-log";
import { decodeCursor, encodeCursor } from "@/lib/dead-letters/queries";

export const metadata: Metadata = { title: "Audit log" };

const input = "w-full min-w-0 rounded-lg border border-slate-300 px-2 py-1.5";
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;
const filterSchema = z.object({
  actor: z.string().max(320).optional().catch(undefined),
  action: z.string().regex(/^[\w.]+$/).max(100).optional().catch(undefined),
  from: z.coerce.date().optional().catch(undefined),
  to: z.coerce.date().optional().catch(undefined),
});

export default async function AuditPage({ searchParams }: PageProps<"/admin/audit">) {
  await requirePageAccess("ADMIN", "/admin/audit");
  const params = await searchParams;
  const filter: AuditFilter = filterSchema.parse({ actor: one(params.actor), action: one(params.action), from: one(params.from), to: one(params.to) });
  for (const k of ["from", "to"] as const) if (filter[k] && Number.isNaN(filter[k].getTime())) delete filter[k];
  const decoded = decodeCursor(one(params.cursor));
  const now = new Date();
  const [{ rows, next }, actors] = await Promise.all([listAudit(filter, decoded ?? undefined), listAuditActors()]);
  const query = new URLSearchParams();
  if (filter.actor) query.set("actor", filter.actor);
  if (filter.action) query.set("action", filter.action);
  if (filter.from) query.set("from", filter.from.toISOString());
  if (filter.to) query.set("to", filter.to.toISOString());
  const toDateInput = (d?: Date) => (d ? d.toISOString().slice(0, 16) : "");
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Audit log</h1>
      <Panel>
        <form method="get" aria-label="Filter the audit log" className="grid grid-cols-1 gap-3 text-sm sm:grid-cols-2 lg:grid-cols-5">
          <label className="flex min-w-0 flex-col gap-1">
            Who
            <select name="actor" defaultValue={filter.actor ?? ""} className={input}>
              <option value="">Anyone</option>
              {actors.map((a) => (
                <option key={a.actorEmail} value={a.actorEmail}>
                  {a.actorEmail}
                </option>
              ))}
            </select>
          </label>
          <label className="flex min-w-0 flex-col gap-1">
            What
            <select name="action" defaultValue={filter.action ?? ""} className={input}>
              <option value="">Any action</option>
              {Object.entries(AUDIT_ACTIONS).map(([code, label]) => (
                <option key={code} value={code}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label className="flex min-w-0 flex-col gap-1">
            After (UTC)
            <input type="datetime-local" name="from" defaultValue={toDateInput(filter.from)} className={input} />
          </label>
          <label className="flex min-w-0 flex-col gap-1">
            Before (UTC)
            <input type="datetime-local" name="to" defaultValue={toDateInput(filter.to)} className={input} />
          </label>
          <div className="flex items-end gap-3">
            <button type="submit" className="rounded-lg bg-slate-900 px-4 py-1.5 font-semibold text-white">
              Apply
            </button>
            <Link href="/admin/audit" prefetch={false} className="py-1.5 text-slate-700 hover:underline">
              Clear
            </Link>
          </div>
        </form>
      </Panel>
      <Panel padded={false}>
        <ScrollBox label="Audit entries">
          <table className="w-full min-w-[40rem] text-sm" data-testid="audit-table">
            <thead className="text-left text-slate-600">
              <tr>
                <th className="px-4 py-2 font-medium">When</th>
                <th className="px-4 py-2 font-medium">Who</th>
                <th className="px-4 py-2 font-medium">What</th>
                <th className="px-4 py-2 font-medium">Note</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const href = targetHref(row.targetType, row.targetId);
                const email = (row.details as { email?: unknown } | null)?.email;
                return (
                  <tr key={row.id} className="border-t border-slate-100 align-top" data-testid="audit-row" data-action={row.action}>
                    <td className="px-4 py-2">
                      <RelativeTime date={row.createdAt} now={now} />
                    </td>
                    <td className="px-4 py-2 break-all">{row.actorEmail}</td>
                    <td className="px-4 py-2">
                      <span>{actionLabel(row.action)}</span>
                      {href ? (
                        <Link href={href} prefetch={false} className="block text-xs text-indigo-700 hover:underline">
                          {typeof email === "string" ? email : `${TARGET_NAMES[row.targetType] ?? row.targetType} ${row.targetId?.slice(0, 8)}`}
                        </Link>
                      ) : null}
                    </td>
                    <td className="px-4 py-2 break-words text-slate-700 italic">{row.note}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollBox>
        {rows.length === 0 ? <p className="p-4 text-sm text-slate-600">Nothing matches.</p> : null}
        {next ? (
          <div className="p-4">
            <Link href={`/admin/audit?${new URLSearchParams([...query, ["cursor", encodeCursor({ lastFailedAt: next.at, id: next.id })]])}`} prefetch={false} className="text-sm text-indigo-700 hover:underline">
              Older →
            </Link>
          </div>
        ) : null}
      </Panel>
    </div>
  );
}
