import "server-only";
import { executorApi } from "@/lib/dead-letters/executor-api";
import type { HistoryEntry } from "@/lib/dead-letters/record";
import { buildTimeline, type Timeline } from "@/lib/dead-letters/timeline";

/** One of a letter's runs for its detail page: the executor's waterfall, or why it is unavailable. */
export type RunView = {
  runId: string;
  status: string | null;
  timeline: Timeline | null;
  /** Why the executor's record of the run could not be read (unreachable, 401, 404…); null when it was. */
  unavailable: string | null;
  /** What the letter itself recorded when this run failed. */
  entry: HistoryEntry | null;
};

/**
 * A letter's runs (the first, its retries, the latest), each read from the executor. A read that
 * fails gives its reason, never a count: the page shows "timeline unavailable (reason)" next to
 * what the letter recorded itself.
 */
export async function letterRuns(letter: { runId: string; lastRunId: string; history: unknown }): Promise<RunView[]> {
  const history = Array.isArray(letter.history) ? (letter.history as HistoryEntry[]) : [];
  const runIds = [...new Set([letter.runId, ...history.map((h) => h.runId), letter.lastRunId])];
  const reads = await Promise.all(runIds.map((runId) => executorApi.readRun(runId)));
  return runIds.map((runId, i) => {
    const read = reads[i]!;
    const entry = history.find((h) => h.runId === runId);
    return {
      runId,
      status: read.ok ? read.run.status : null,
      timeline: read.ok ? buildTimeline(read.run.attempts) : null,
      unavailable: read.ok ? null : read.reason,
      entry: entry ? { ...entry, attempts: typeof entry.attempts === "number" ? entry.attempts : null } : null,
    };
  });
}
