import type { Metadata } from "next";
import Link from "next/link";
import { Panel } from "@/components/admin/panel";
import { ScrollBox } from "@/components/admin/scroll-box";
import { RelativeTime } from "@/components/admin/relative-time";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { parseUserSearch, searchUsers } from "@/lib/accounts/admin-directory";
import { decodeCursor, encodeCursor } from "@/lib/dead-letters/queries";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage({ searchParams }: PageProps<"/admin/users">) {
  await requirePageAccess("ADMIN", "/admin/users");
  const params = await searchParams;
  const { q, ignored } = parseUserSearch(params.q);
  const cursor = decodeCursor(typeof params.cursor === "string" ? params.cursor : undefined);
  const { rows, next } = await searchUsers(q, cursor ?? undefined);
  const now = new Date();
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Users</h1>
      <Panel>
        <form method="get" role="search" aria-label="Find a user" className="flex flex-wrap items-end gap-3 text-sm">
          <label className="flex min-w-0 flex-1 flex-col gap-1">
            Email or name contains
            <input type="search" name="q" defaultValue={q ?? ""} className="w-full min-w-0 rounded-lg border border-slate-300 px-2 py-1.5" />
          </label>
          <button type="submit" className="rounded-lg bg-slate-900 px-4 py-1.5 font-semibold text-white">
            Search
          </button>
        </form>
        {ignored ? (
          <p role="status" className="mt-3 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-200">
            Search ignored: {ignored}
          </p>
        ) : null}
      </Panel>
      <Panel padded={false}>
        <ScrollBox label="Users">
          <table className="w-full min-w-[36rem] text-sm" data-testid="user-table">
            <thead className="text-left text-slate-600">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Email</th>
                <th className="px-4 py-2 font-medium">Role</th>
                <th className="px-4 py-2 font-medium">Joined</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr key={u.id} className="border-t border-slate-100" data-testid="user-row">
                  <td className="px-4 py-2">
                    <Link href={`/admin/users/${u.id}`} prefetch={false} className="font-medium text-indigo-700 hover:underline">
                      {u.name}
                    </Link>
                  </td>
                  <td className="px-4 py-2 break-all">{u.email}</td>
                  <td className="px-4 py-2">{u.role === "ADMIN" ? "admin" : "member"}</td>
                  <td className="px-4 py-2">
                    <RelativeTime date={u.createdAt} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
        {rows.length === 0 ? <p className="p-4 text-sm text-slate-600">No one matches.</p> : null}
        {next ? (
          <div className="p-4">
            <Link href={`/admin/users?${new URLSearchParams([...(q ? [["q", q]] : []), ["cursor", encodeCursor({ lastFailedAt: next.at, id: next.id })]])}`} prefetch={false} className="text-sm text-indigo-700 hover:underline">
              Older →
            </Link>
          </div>
        ) : null}
      </Panel>
    </div>
  );
}
