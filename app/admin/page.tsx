import type { Metadata } from "next";
import Link from "next/link";
import { FailuresChart } from "@/components/admin/failures-chart";
import { Panel } from "@/components/admin/panel";
import { ScrollBox } from "@/components/admin/scroll-box";
import { MailBacklogLine } from "@/components/admin/mail-backlog";
import { exactUtc, RelativeTime } from "@/components/admin/relative-time";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { signUpMailBacklog } from "@/lib/accounts/sign-up-attempts";
import { welcomeMailBacklog } from "@/lib/accounts/welcome-email";
import { countUsers } from "@/lib/accounts/users";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { deadLetterOverview } from "@/lib/dead-letters/queries";
import { outboxBacklog } from "@/lib/outbox/backlog";

export const metadata: Metadata = { title: "Admin" };

const number = new Intl.NumberFormat("en");

export default async function AdminDashboardPage() {
  await requirePageAccess("ADMIN", "/admin");
  const [counts, overview, executor, outbox, signUpMail, welcomeMail] = await Promise.all([
    countUsers(),
    deadLetterOverview(),
    executorApi.health(),
    outboxBacklog(),
    signUpMailBacklog(),
    welcomeMailBacklog(),
  ]);
  const now = new Date();
  const users = (role: "USER" | "ADMIN") => counts.find((c) => c.role === role)?._count._all ?? 0;
  const stats = [
    { label: "Open dead letters", value: overview.status.OPEN, href: "/admin/dead-letters", testId: "count-open" },
    { label: "Retrying", value: overview.status.RETRYING, href: "/admin/dead-letters?status=RETRYING", testId: "count-retrying" },
    { label: "Resolved", value: overview.status.RESOLVED, href: "/admin/dead-letters?status=RESOLVED", testId: "count-resolved" },
    { label: "Members", value: users("USER"), href: "/admin/users", testId: "count-members" },
    { label: "Administrators", value: users("ADMIN"), href: "/admin/users", testId: "count-admins" },
  ];
  const app = executor.reachable ? executor.apps?.[0] : undefined;
  // Outbox rows and emails are normally out within seconds; 5 minutes means people wait.
  const stale = (oldest: Date | null) => oldest !== null && now.getTime() - oldest.getTime() > 5 * 60_000;
  const outboxStale = stale(outbox.oldest);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Admin dashboard</h1>
      <ul className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5" data-testid="admin-stats">
        {stats.map((s) => (
          <li key={s.label} className="rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
            <Link href={s.href} prefetch={false} className="flex flex-col hover:text-indigo-700">
              <span className="text-sm text-slate-600">{s.label}</span>
              <span className="text-3xl font-semibold" data-testid={s.testId}>
                {number.format(s.value)}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <div className="grid min-w-0 gap-6 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <Panel title="Failures over the last 14 days">
            <FailuresChart series={overview.series} />
          </Panel>
        </div>
        <Panel title="Background executor">
          <dl className="grid grid-cols-[8rem_minmax(0,1fr)] gap-y-2 text-sm" data-testid="executor-health">
            <dt className="text-slate-600">Executor</dt>
            <dd data-testid="executor-reachable" data-reachable={executor.reachable}>
              {executor.reachable ? (
                <span className="text-emerald-800">reachable ({executor.latencyMs} ms)</span>
              ) : (
                <span className="text-red-700">unreachable: {executor.error}</span>
              )}
            </dd>
            <dt className="text-slate-600">Last sync</dt>
            <dd>
              {app?.synced_at ? <RelativeTime date={new Date(app.synced_at)} now={now} /> : <span className="text-slate-600">{executor.reachable ? "not reported by this executor" : "unknown"}</span>}
              {app?.error ? <span className="block text-red-700">error: {app.error}</span> : app?.synced_at ? <span className="block text-slate-600">no error</span> : null}
            </dd>
            <dt className="text-slate-600">Outbox backlog</dt>
            <dd data-testid="outbox-backlog" className={outboxStale ? "text-red-700" : ""}>
              {number.format(outbox.unsent)} unsent
              {outbox.oldest ? (
                <span className="block">
                  oldest <RelativeTime date={outbox.oldest} now={now} />
                </span>
              ) : null}
              {outbox.lastError ? <span className="block break-words text-red-700">last error: {outbox.lastError}</span> : null}
            </dd>
            <MailBacklogLine label="Sign-up emails" backlog={signUpMail} now={now} stale={stale(signUpMail.oldest)} testId="mail-backlog" />
            <MailBacklogLine label="Welcome emails" backlog={welcomeMail} now={now} stale={stale(welcomeMail.oldest)} testId="welcome-backlog" />
          </dl>
          <p className="mt-3 text-xs text-slate-600">Checked {exactUtc(now)}. <Link href="/admin/schedules" prefetch={false} className="text-indigo-700 underline">Schedules</Link></p>
        </Panel>
      </div>
      <Panel title="Failures per function" padded={false}>
        {overview.functions.length ? (
          <ScrollBox label="Failures per function" className="px-4 pb-4 sm:px-6">
            <table className="w-full text-sm">
              <thead className="text-left text-slate-600">
                <tr>
                  <th className="py-2 pr-3 font-medium">Function</th>
                  <th className="px-3 py-2 text-right font-medium">Unresolved</th>
                  <th className="py-2 pl-3 text-right font-medium">All time</th>
                </tr>
              </thead>
              <tbody>
                {overview.functions.map((f) => (
                  <tr key={f.functionId} className="border-t border-slate-100">
                    <td className="py-2 pr-3">
                      <Link href={`/admin/dead-letters?functionId=${encodeURIComponent(f.functionId)}&view=groups`} prefetch={false} className="text-indigo-700 hover:underline">
                        {f.functionName}
                      </Link>
                    </td>
                    <td className="px-3 py-2 text-right">{number.format(f.open)}</td>
                    <td className="py-2 pl-3 text-right">{number.format(f.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        ) : (
          <p className="px-4 pb-4 text-sm text-slate-600 sm:px-6">No failures recorded. Everything ran.</p>
        )}
      </Panel>
    </div>
  );
}
