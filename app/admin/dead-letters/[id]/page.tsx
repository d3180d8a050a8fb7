import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { ReopenForm, ResolveForm, RetryForm } from "@/components/admin/dead-letter-forms";
import { LiveUpdates } from "@/components/admin/live-updates";
import { Panel } from "@/components/admin/panel";
import { RelativeTime } from "@/components/admin/relative-time";
import { StatusBadge } from "@/components/admin/status-badge";
import { Subject, subjectText } from "@/components/admin/subject";
import { attemptsText, RunTimelines } from "@/components/admin/run-timelines";
import { requirePageAccess } from "@/lib/accounts/current-user";
import type { HistoryEntry } from "@/lib/dead-letters/record";
import { getDeadLetter } from "@/lib/dead-letters/queries";
import { letterRuns } from "@/lib/dead-letters/runs";
import { isPermanentError } from "@/lib/dead-letters/schemas";
import { listAuditFor } from "@/lib/audit/audit-log";
import { actionLabel } from "@/lib/audit/actions";

const letterById = cache(async (id: string) => {
  const parsed = z.uuid().safeParse(id);
  return parsed.success ? getDeadLetter(parsed.data) : null;
});

export async function generateMetadata({ params }: PageProps<"/admin/dead-letters/[id]">): Promise<Metadata> {
  const { id } = await params;
  await requirePageAccess("ADMIN", `/admin/dead-letters/${id}`);
  const letter = await letterById(id);
  return { title: letter ? `${letter.functionName} · ${subjectText(letter)}` : "Dead letter" };
}

export default async function DeadLetterPage({ params }: PageProps<"/admin/dead-letters/[id]">) {
  const { id } = await params;
  await requirePageAccess("ADMIN", `/admin/dead-letters/${id}`);
  const letter = await letterById(id);
  if (!letter) notFound();

  const now = new Date();
  const history = (letter.history as HistoryEntry[] | null) ?? [];
  // The executor's own record of each run (attempts with their timings), or why it cannot be read.
  const [runs, audit] = await Promise.all([letterRuns(letter), listAuditFor("dead_letter", letter.id)]);
  const lastEntry = history.at(-1);
  const retryFailed = letter.status === "OPEN" && letter.retryCount > 0 && history.length > 1 && lastEntry?.runId === letter.lastRunId && letter.lastRunId !== letter.runId ? lastEntry : null;
  const permanent = isPermanentError(letter.errorName) ? { errorName: letter.errorName, errorMessage: letter.errorMessage } : null;

  return (
    <div className="flex flex-col gap-6">
      <Link href="/admin/dead-letters" prefetch={false} className="text-sm text-indigo-700 hover:underline">
        ← Dead letters
      </Link>
      <div className="flex flex-col gap-2">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="min-w-0 text-2xl font-bold break-words" data-testid="letter-title">
            {letter.functionName} <span className="font-normal text-slate-600">for</span> {letter.subjectName ?? letter.subjectEmail ?? letter.subjectLabel ?? "—"}
          </h1>
          <StatusBadge status={letter.status} />
        </div>
        <p className="text-sm text-slate-600">
          Last failed <RelativeTime date={letter.lastFailedAt} now={now} /> · {attemptsText(letter.attempts)}
          {letter.retryCount ? ` · retried ${letter.retryCount}×` : ""}
        </p>
      </div>
      <LiveUpdates ids={letter.status === "RETRYING" ? [letter.id] : []} />
      {retryFailed ? (
        <p role="alert" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800 ring-1 ring-red-200 break-words" data-testid="retry-failed">
          <strong>The retry failed again</strong> <RelativeTime date={new Date(retryFailed.at)} now={now} /> after {attemptsText(retryFailed.attempts ?? null)}: {retryFailed.errorName}: {retryFailed.errorMessage}
        </p>
      ) : null}

      <div className="grid min-w-0 gap-6 lg:grid-cols-3">
        <div className="flex min-w-0 flex-col gap-6 lg:col-span-2">
          <Panel title="Error">
            <p className="font-mono text-sm text-slate-600" data-testid="error-name">
              {letter.errorName}
            </p>
            <p className="mt-1 text-sm break-words" data-testid="error-message">
              {letter.errorMessage}
            </p>
            {letter.errorStack ? (
              <details className="mt-3">
                <summary className="cursor-pointer text-sm text-slate-700">Stack trace</summary>
                <pre tabIndex={0} aria-label="Stack trace" className="mt-2 max-h-80 overflow-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100">{letter.errorStack}</pre>
              </details>
            ) : null}
          </Panel>
          <Panel title="Attempts">
            <RunTimelines runs={runs} />
          </Panel>
          <Panel title="Event payload">
            <pre tabIndex={0} aria-label="Event payload" className="max-h-96 overflow-auto rounded-lg bg-slate-50 p-3 text-xs ring-1 ring-slate-200" data-testid="payload">
              {JSON.stringify(letter.payload, null, 2)}
            </pre>
          </Panel>
        </div>
        <div className="flex min-w-0 flex-col gap-6">
          <Panel title="About">
            <Subject subject={letter} />
          </Panel>
          <Panel title="Actions">
            <div className="flex flex-col gap-6">
              {letter.status === "OPEN" ? <RetryForm key={letter.retryCount} id={letter.id} permanent={permanent} /> : null}
              {letter.status === "RETRYING" ? <p className="text-sm text-amber-800">A retry is running. This page updates when it finishes.</p> : null}
              {letter.status !== "RESOLVED" ? <ResolveForm id={letter.id} /> : <ReopenForm id={letter.id} />}
            </div>
          </Panel>
          <Panel title="Details">
            <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-y-2 text-sm [&_dd]:break-words">
              <dt className="text-slate-600">Function</dt>
              <dd className="font-mono text-xs break-all">{letter.functionId}</dd>
              <dt className="text-slate-600">Event</dt>
              <dd className="break-all">{letter.eventName}</dd>
              <dt className="text-slate-600">Attempts</dt>
              <dd data-testid="attempts">{letter.attempts ?? "unknown"}</dd>
              <dt className="text-slate-600">First failure</dt>
              <dd>
                <RelativeTime date={letter.firstFailedAt} now={now} />
              </dd>
              <dt className="text-slate-600">Last failure</dt>
              <dd>
                <RelativeTime date={letter.lastFailedAt} now={now} />
              </dd>
              <dt className="text-slate-600">Retries</dt>
              <dd>{letter.retryCount}</dd>
              <dt className="text-slate-600">Error group</dt>
              <dd>
                <Link href={`/admin/dead-letters?status=ALL&group=${letter.groupKey}`} prefetch={false} className="text-indigo-700 hover:underline" data-testid="group-link">
                  {letter.errorPattern || "this error"}
                </Link>
              </dd>
              {letter.status === "RESOLVED" ? (
                <>
                  <dt className="text-slate-600">Resolved by</dt>
                  <dd data-testid="resolved-by">{letter.resolvedBy}</dd>
                  <dt className="text-slate-600">Note</dt>
                  <dd data-testid="resolution-note">{letter.resolutionNote}</dd>
                </>
              ) : null}
            </dl>
          </Panel>
          <Panel title="History">
            <ul className="flex flex-col gap-2 text-xs" data-testid="letter-audit">
              {audit.map((a) => (
                <li key={a.id}>
                  <span className="font-medium">{actionLabel(a.action)}</span> by {a.actorEmail} · <RelativeTime date={a.createdAt} now={now} />
                  {a.note ? <span className="block italic text-slate-700">“{a.note}”</span> : null}
                </li>
              ))}
              {audit.length === 0 ? <li className="text-slate-600">No one has acted on it yet.</li> : null}
            </ul>
          </Panel>
        </div>
      </div>
    </div>
  );
}
