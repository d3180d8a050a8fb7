import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { ReopenForm, ResolveForm, RetryForm } from "@/components/admin/dead-letter-forms";
import { StatusBadge } from "@/components/admin/status-badge";
import { Card } from "@/components/ui/card";
import { requirePageAccess } from "@/lib/accounts/current-user";
import type { HistoryEntry } from "@/lib/dead-letters/record";
import { getDeadLetter } from "@/lib/dead-letters/queries";
import { executorApi, type ExecutorRunDetail } from "@/lib/dead-letters/executor-api";
import { listAuditFor } from "@/lib/audit/audit-log";

export const metadata: Metadata = { title: "Dead letter" };

export default async function DeadLetterPage({ params }: PageProps<"/admin/dead-letters/[id]">) {
  const { id } = await params;
  await requirePageAccess("ADMIN", `/admin/dead-letters/${id}`);
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) notFound();
  const letter = await getDeadLetter(parsed.data);
  if (!letter) notFound();

  const history = (letter.history as HistoryEntry[] | null) ?? [];
  const runIds = [...new Set([letter.runId, ...history.map((h) => h.runId), letter.lastRunId])];
  // The executor's own record of each run (attempts with their errors); the row's history stands
  // in when the executor has forgotten a run or cannot be reached.
  const runs = await Promise.all(runIds.map((runId) => executorApi.run(runId).catch(() => null)));
  const audit = await listAuditFor("dead_letter", letter.id);

  return (
    <div className="flex flex-col gap-6">
      <AutoRefresh active={letter.status === "RETRYING"} />
      <div className="flex items-center gap-3">
        <Link href="/admin/dead-letters" className="text-sm text-indigo-700 hover:underline">
          ← Dead letters
        </Link>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold">{letter.functionName}</h1>
        <StatusBadge status={letter.status} />
      </div>

      <div className="grid gap-6 md:grid-cols-3">
        <div className="flex flex-col gap-6 md:col-span-2">
          <Card title="Error">
            <p className="font-mono text-sm text-slate-500" data-testid="error-name">
              {letter.errorName}
            </p>
            <p className="mt-1 text-sm" data-testid="error-message">
              {letter.errorMessage}
            </p>
            {letter.errorStack ? (
              <details className="mt-3">
                <summary className="cursor-pointer text-sm text-slate-600">Stack trace</summary>
                <pre className="mt-2 max-h-80 overflow-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100">{letter.errorStack}</pre>
              </details>
            ) : null}
          </Card>
          <Card title="Attempt timeline">
            <ol className="flex flex-col gap-4 text-sm" data-testid="attempt-timeline">
              {runIds.map((runId, i) => (
                <RunTimeline key={runId} runId={runId} run={runs[i] ?? null} entry={history.find((h) => h.runId === runId)} />
              ))}
            </ol>
          </Card>
          <Card title="Event payload">
            <pre className="max-h-96 overflow-auto rounded-lg bg-slate-50 p-3 text-xs ring-1 ring-slate-200" data-testid="payload">
              {JSON.stringify(letter.payload, null, 2)}
            </pre>
          </Card>
        </div>
        <div className="flex flex-col gap-6">
          <Card title="Details">
            <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-y-2 text-sm [&_dd]:break-words">
              <dt className="text-slate-500">Function</dt>
              <dd className="font-mono text-xs break-all">{letter.functionId}</dd>
              <dt className="text-slate-500">Event</dt>
              <dd className="break-all">{letter.eventName}</dd>
              <dt className="text-slate-500">Attempts</dt>
              <dd data-testid="attempts">{letter.attempts}</dd>
              <dt className="text-slate-500">First failure</dt>
              <dd>{letter.firstFailedAt.toISOString().replace("T", " ").slice(0, 19)}</dd>
              <dt className="text-slate-500">Last failure</dt>
              <dd>{letter.lastFailedAt.toISOString().replace("T", " ").slice(0, 19)}</dd>
              <dt className="text-slate-500">Retries</dt>
              <dd>{letter.retryCount}</dd>
              {letter.status === "RESOLVED" ? (
                <>
                  <dt className="text-slate-500">Resolved by</dt>
                  <dd data-testid="resolved-by">{letter.resolvedBy}</dd>
                  <dt className="text-slate-500">Note</dt>
                  <dd data-testid="resolution-note">{letter.resolutionNote}</dd>
                </>
              ) : null}
            </dl>
          </Card>
          <Card title="Actions">
            <div className="flex flex-col gap-6">
              {letter.status === "OPEN" ? <RetryForm id={letter.id} /> : null}
              {letter.status === "RETRYING" ? <p className="text-sm text-amber-800">A retry is running. This page updates when it finishes.</p> : null}
              {letter.status !== "RESOLVED" ? <ResolveForm id={letter.id} /> : <ReopenForm id={letter.id} />}
            </div>
          </Card>
          <Card title="History">
            <ul className="flex flex-col gap-2 text-xs" data-testid="letter-audit">
              {audit.map((a) => (
                <li key={a.id}>
                  <span className="font-medium">{a.action.replace("dead_letter.", "")}</span> by {a.actorEmail} · {a.createdAt.toISOString().replace("T", " ").slice(0, 19)}
                  {a.note ? <span className="block italic text-slate-600">“{a.note}”</span> : null}
                </li>
              ))}
            </ul>
          </Card>
        </div>
      </div>
    </div>
  );
}

function RunTimeline({ runId, run, entry }: { runId: string; run: ExecutorRunDetail | null; entry?: HistoryEntry }) {
  return (
    <li>
      <p className="font-medium">
        Run <span className="font-mono text-xs">{runId}</span> {run ? <span className="text-slate-500">· {run.status}</span> : null}
      </p>
      {run?.attempts.length ? (
        <ul className="mt-1 border-l-2 border-slate-200 pl-3">
          {run.attempts.map((a, i) => (
            <li key={i} className="py-0.5" data-testid="attempt">
              <span className="font-mono text-xs text-slate-500">{a.started_at.replace("T", " ").slice(0, 23)}</span> {a.step_name ?? a.step_id} · attempt {a.attempt + 1} ·{" "}
              <span className={a.outcome === "completed" ? "text-emerald-700" : a.outcome === "error" || a.outcome === "failed" ? "text-red-700" : ""}>{a.outcome}</span>
              {a.status_code ? ` (${a.status_code})` : ""}
              {errorText(a.error) ? <span className="block text-xs text-slate-600">{errorText(a.error)}</span> : null}
            </li>
          ))}
        </ul>
      ) : entry ? (
        <p className="text-slate-600">
          {entry.at}: failed after {entry.attempts} attempt{entry.attempts === 1 ? "" : "s"} — {entry.errorName}: {entry.errorMessage}
        </p>
      ) : (
        <p className="text-slate-500">The executor has no record of this run.</p>
      )}
    </li>
  );
}

function errorText(error: unknown): string | null {
  if (!error || typeof error !== "object") return null;
  const e = error as { name?: unknown; message?: unknown };
  return typeof e.message === "string" ? `${typeof e.name === "string" ? `${e.name}: ` : ""}${e.message}` : null;
}
