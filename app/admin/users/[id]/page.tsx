import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { Panel } from "@/components/admin/panel";
import { RelativeTime } from "@/components/admin/relative-time";
import { RevokeSessionsForm } from "@/components/admin/revoke-sessions-form";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { getUserOverview, type WorkState } from "@/lib/accounts/admin-directory";

const overviewOf = cache(async (id: string) => (z.guid().safeParse(id).success ? getUserOverview(id) : null));

export async function generateMetadata({ params }: PageProps<"/admin/users/[id]">): Promise<Metadata> {
  const { id } = await params;
  await requirePageAccess("ADMIN", `/admin/users/${id}`);
  const overview = await overviewOf(id);
  return { title: overview ? `${overview.user.name} <${overview.user.email}>` : "User" };
}

const tone: Record<WorkState, string> = {
  done: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  "in progress": "bg-amber-50 text-amber-800 ring-amber-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
  "not started": "bg-slate-50 text-slate-700 ring-slate-200",
  off: "bg-slate-50 text-slate-700 ring-slate-200",
};

export default async function UserPage({ params }: PageProps<"/admin/users/[id]">) {
  const { id } = await params;
  await requirePageAccess("ADMIN", `/admin/users/${id}`);
  const overview = await overviewOf(id);
  if (!overview) notFound();
  const { user, sessions, work } = overview;
  const now = new Date();
  return (
    <div className="flex flex-col gap-6">
      <Link href="/admin/users" prefetch={false} className="text-sm text-indigo-700 hover:underline">
        ← Users
      </Link>
      <div>
        <h1 className="text-2xl font-bold break-words">{user.name}</h1>
        <p className="text-sm break-all text-slate-700" data-testid="user-email">
          {user.email} · {user.role === "ADMIN" ? "admin" : "member"} · joined <RelativeTime date={user.createdAt} now={now} />
        </p>
      </div>
      <Panel title="Background work" padded>
        <ul className="flex flex-col divide-y divide-slate-100" data-testid="background-work">
          {work.map((item) => (
            <li key={item.key} className="flex flex-wrap items-center gap-x-4 gap-y-1 py-3 text-sm" data-testid={`work-${item.key}`}>
              <span className="w-32 font-medium">{item.label}</span>
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tone[item.state]}`} data-testid="work-state">
                {item.state}
              </span>
              <span className="min-w-0 flex-1 text-slate-700">{item.detail}</span>
              {item.deadLetters.total ? (
                <Link
                  href={`/admin/dead-letters?${new URLSearchParams({ status: "ALL", userId: user.id, ...(item.deadLetters.functionId ? { functionId: item.deadLetters.functionId } : {}) })}`}
                  prefetch={false}
                  className="text-indigo-700 hover:underline"
                  data-testid="work-dead-letters"
                >
                  {item.deadLetters.open} open / {item.deadLetters.total} dead letter{item.deadLetters.total === 1 ? "" : "s"}
                </Link>
              ) : (
                <span className="text-slate-600">no failures</span>
              )}
            </li>
          ))}
        </ul>
        <p className="mt-3 text-sm">
          <Link href={`/admin/dead-letters?status=ALL&userId=${user.id}`} prefetch={false} className="text-indigo-700 hover:underline">
            Every dead letter about {user.name}
          </Link>
        </p>
      </Panel>
      <Panel title="Sessions">
        <p className="mb-3 text-sm text-slate-700" data-testid="session-count">
          {sessions} active session{sessions === 1 ? "" : "s"}.
        </p>
        <RevokeSessionsForm userId={user.id} email={user.email} sessions={sessions} />
      </Panel>
    </div>
  );
}
