import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { listAudit } from "@/lib/audit/audit-log";
import { decodeCursor, encodeCursor } from "@/lib/dead-letters/queries";

export const metadata: Metadata = { title: "Audit log" };

const targetHref = (type: string, id: string | null) =>
  !id ? null : type === "dead_letter" ? `/admin/dead-letters/${id}` : type === "bulk_action" ? `/admin/dead-letters/bulk/${id}` : null;

export default async function AuditPage({ searchParams }: PageProps<"/admin/audit">) {
  await requirePageAccess("ADMIN", "/admin/audit");
  const { cursor } = await searchParams;
  const decoded = decodeCursor(typeof cursor === "string" ? cursor : undefined);
  const { rows, next } = await listAudit(decoded ?? undefined);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Audit log</h1>
      <Card>
        <table className="w-full text-sm" data-testid="audit-table">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="py-2 font-medium">When (UTC)</th>
              <th className="py-2 font-medium">Who</th>
              <th className="py-2 font-medium">What</th>
              <th className="py-2 font-medium">Note</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const href = targetHref(row.targetType, row.targetId);
              return (
                <tr key={row.id} className="border-t border-slate-100 align-top" data-testid="audit-row">
                  <td className="py-2 whitespace-nowrap">{row.createdAt.toISOString().replace("T", " ").slice(0, 19)}</td>
                  <td className="py-2">{row.actorEmail}</td>
                  <td className="py-2">
                    <span className="font-mono text-xs">{row.action}</span>
                    {href ? (
                      <Link href={href} className="ml-2 text-xs text-indigo-700 hover:underline">
                        {row.targetType.replace("_", " ")}
                      </Link>
                    ) : null}
                  </td>
                  <td className="py-2 italic text-slate-700">{row.note}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length === 0 ? <p className="text-sm text-slate-500">Nothing yet.</p> : null}
        {next ? (
          <Link href={`/admin/audit?cursor=${encodeCursor({ lastFailedAt: next.at, id: next.id })}`} className="mt-4 inline-block text-sm text-indigo-700 hover:underline">
            Older →
          </Link>
        ) : null}
      </Card>
    </div>
  );
}
