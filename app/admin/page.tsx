import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { RevokeSessionsForm } from "@/components/admin/revoke-sessions-form";
import { requirePageAccess } from "@/lib/auth/session";
import { countUsers, listRecentUsers } from "@/lib/data/users";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminDashboardPage() {
  await requirePageAccess("ADMIN", "/admin");
  const [counts, recent] = await Promise.all([countUsers(), listRecentUsers(10)]);
  const count = (role: "USER" | "ADMIN") => counts.find((c) => c.role === role)?._count._all ?? 0;
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Admin dashboard</h1>
      <div className="grid grid-cols-2 gap-4" data-testid="admin-stats">
        <Card>
          <p className="text-sm text-slate-500">Members</p>
          <p className="text-3xl font-semibold">{count("USER")}</p>
        </Card>
        <Card>
          <p className="text-sm text-slate-500">Administrators</p>
          <p className="text-3xl font-semibold">{count("ADMIN")}</p>
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
