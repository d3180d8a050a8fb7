import type { Metadata } from "next";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { LocalTime } from "@/components/schedules/local-time";
import { RunNowForm } from "@/components/schedules/run-now-form";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { getScheduleOverview, type LastRun } from "@/lib/schedules/overview";

export const metadata: Metadata = { title: "Schedules" };

const FOLLOW_RUNNING_MS = 10 * 60_000;

const utc = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
const formatUtc = (iso: string) => `${utc.format(new Date(iso))} UTC`;

export default async function SchedulesPage() {
  await requirePageAccess("ADMIN", "/admin/schedules");
  const now = new Date();
  const schedules = await getScheduleOverview(now);
  // Follow runs in progress; a row stuck "running" (a run the executor lost) stops counting after a while.
  const anyRunning = schedules.some((s) => s.lastRun?.outcome === "running" && now.getTime() - Date.parse(s.lastRun.startedAt) < FOLLOW_RUNNING_MS);
  return (
    <div className="flex flex-col gap-6">
      <AutoRefresh active={anyRunning} />
      <div>
        <h1 className="text-2xl font-bold">Schedules</h1>
        <p className="mt-1 text-sm text-slate-600">
          Cron jobs run by the background executor. Times are computed from each job&apos;s own time zone; your local time is shown beside them.
        </p>
      </div>
      <ul className="flex flex-col gap-4">
        {schedules.map((s) => (
          <li key={s.id} className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200" data-testid={`schedule-${s.id}`} aria-labelledby={`schedule-${s.id}-name`}>
            <div className="flex flex-wrap items-start justify-between gap-4">
              <div className="min-w-0 flex-1">
                <h2 id={`schedule-${s.id}-name`} className="text-lg font-semibold">
                  {s.name}
                </h2>
                <p className="mt-1 text-sm text-slate-600">{s.description}</p>
              </div>
              <RunNowForm scheduleId={s.id} name={s.name} lastRunId={s.lastRun?.runId ?? null} lastRunFinished={!!s.lastRun && s.lastRun.outcome !== "running"} />
            </div>
            <dl className="mt-4 grid grid-cols-[9rem_1fr] gap-x-4 gap-y-2 text-sm">
              <dt className="text-slate-500">Expression</dt>
              <dd>
                <code className="rounded bg-slate-100 px-1.5 py-0.5" data-testid="schedule-cron">
                  {s.cron}
                </code>
              </dd>
              <dt className="text-slate-500">Time zone</dt>
              <dd data-testid="schedule-timezone">{s.timezone}</dd>
              <dt className="text-slate-500">Function</dt>
              <dd>
                <code className="text-xs">{s.id}</code>
              </dd>
              <dt className="text-slate-500">Next runs</dt>
              <dd>
                <ol className="flex flex-col gap-0.5" data-testid="schedule-next-runs">
                  {s.nextRuns.map((iso) => (
                    <li key={iso}>
                      <time dateTime={iso}>{formatUtc(iso)}</time> <span className="text-slate-500">· <LocalTime iso={iso} /></span>
                    </li>
                  ))}
                </ol>
              </dd>
              <dt className="text-slate-500">Last run</dt>
              <dd data-testid="schedule-last-run">
                <LastRunView run={s.lastRun} />
              </dd>
            </dl>
          </li>
        ))}
      </ul>
    </div>
  );
}

function LastRunView({ run }: { run: LastRun | null }) {
  if (!run) return <span className="text-slate-500">Never run</span>;
  const tone = { running: "bg-amber-50 text-amber-800 ring-amber-200", succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-200", failed: "bg-red-50 text-red-800 ring-red-200" }[run.outcome] ?? "bg-slate-50 text-slate-700 ring-slate-200";
  const by = run.trigger === "cron" ? "on schedule" : run.trigger.startsWith("manual:") ? `run now by ${run.trigger.slice("manual:".length)}` : "run now";
  return (
    <div className="flex flex-col gap-1">
      <span className="flex flex-wrap items-center gap-2">
        <span className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tone}`} data-testid="schedule-last-outcome" data-outcome={run.outcome}>
          {run.outcome}
        </span>
        <time dateTime={run.startedAt}>{formatUtc(run.startedAt)}</time>
        <span className="text-slate-500">· {by}</span>
      </span>
      {run.summary ? <span data-testid="schedule-last-summary">{run.summary}</span> : null}
    </div>
  );
}
