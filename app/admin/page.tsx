import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { FailuresChart } from "@/components/admin/failures-chart";
import { RevokeSessionsForm } from "@/components/admin/revoke-sessions-form";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { deadLetterOverview } from "@/lib/dead-letters/queries";
import { countUsers, listRecentUsers } from "@/lib/accounts/users";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminDashboardPage() {
  await requirePageAccess("ADMIN", "/admin");
  const [counts, recent, overview] = await Promise.all([countUsers(), listRecentUsers(10), deadLetterOverview()]);
  const users = (role: "USER" | "ADMIN") => counts.find((c) => c.role === role)?._count._all ?? 0;
  const stats = [
    { label: "Open dead letters", value: overview.status.OPEN, href: "/admin/dead-letters?status=OPEN", testId: "count-open" },
    { label: "Retrying", value: overview.status.RETRYING, href: "/admin/dead-letters?status=RETRYING", testId: "count-retrying" },
    { label: "Resolved", value: overview.status.RESOLVED, href: "/admin/dead-letters?status=RESOLVED", testId: "count-resolved" },
    { label: "Members", value: users("USER"), testId: "count-members" },
    { label: "Administrators", value: users("ADMIN"), testId: "count-admins" },
  ];
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Admin dashboard</h1>
      <div className="grid grid-cols-2 gap-4 sm:grid-cols-5" data-testid="admin-stats">
        {stats.map((s) => (
          <Card key={s.label}>
            <p className="text-sm text-slate-500">{s.label}</p>
            {s.href ? (
              <Link href={s.href} className="text-3xl font-semibold hover:text-indigo-700" data-testid={s.testId}>
                {s.value}
              </Link>
            ) : (
              <p className="text-3xl font-semibold" data-testid={s.testId}>
                {s.value}
              </p>
            )}
          </Card>
        ))}
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Failures over the last 14 days">
          <FailuresChart series={overview.series} />
        </Card>
        <Card title="Failures per function">
          {overview.functions.length ? (
            <table className="w-full text-sm">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="py-1 font-medium">Function</th>
                  <th className="py-1 text-right font-medium">Unresolved</th>
                  <th className="py-1 text-right font-medium">All time</th>
                </tr>
              </thead>
              <tbody>
                {overview.functions.map((f) => (
                  <tr key={f.functionId} className="border-t border-slate-100">
                    <td className="py-1.5">
                      <Link href={`/admin/dead-letters?functionId=${encodeURIComponent(f.functionId)}`} className="text-indigo-700 hover:underline">
                        {f.functionName}
                      </Link>
                    </td>
                    <td className="py-1.5 text-right">{f.open}</td>
                    <td className="py-1.5 text-right">{f.total}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="text-sm text-slate-500">No failures recorded. Everything ran.</p>
          )}
        </Card>
      </div>
      <Card title="Newest accounts">
        <ul className="divide-y divide-slate-100" data-testid="recent-users">
          {recent.map((u) => (
            <li key={u.id} className="flex items-center justify-between gap-4 py-3 text-sm">
              <span>
                <span className="font-medium">{u.name}</span> <span className="text-slate-500">{u.email}</span>
              </span>
              <RevokeSessionsForm userId={u.id} email={u.email} />
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
