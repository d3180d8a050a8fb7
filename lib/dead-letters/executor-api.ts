import "server-only";
import { z } from "zod";
import { env, inngestApiBaseUrl, inngestMode } from "@/lib/env";

// Reads run history through Inngest's REST API shape, from wherever the SDK itself talks to: the
// local executor in dev mode, a self-hosted Inngest (INNGEST_BASE_URL / INNGEST_API_BASE_URL), or
// Inngest Cloud — outside dev mode with the signing key as bearer token.

const attempt = z.object({
  step_id: z.string(),
  step_name: z.string().nullable().optional(),
  attempt: z.number(),
  outcome: z.string(),
  status_code: z.number().nullable().optional(),
  error: z.unknown(),
  retry_at: z.string().nullable().optional(),
  started_at: z.string(),
  ended_at: z.string().nullable().optional(),
});

const run = z.object({
  run_id: z.string(),
  function_id: z.string().optional(),
  status: z.string(),
  queued_at: z.string().optional(),
  ended_at: z.string().nullable().optional(),
  output: z.unknown().optional(),
});

const runDetail = run.extend({
  steps: z.array(z.object({ id: z.string(), name: z.string().nullable().optional(), op: z.string().optional() })).default([]),
  attempts: z.array(attempt).default([]),
});

export type ExecutorRun = z.infer<typeof run>;
export type ExecutorRunDetail = z.infer<typeof runDetail>;

function apiBase(): { url: string; headers: Record<string, string> } {
  const url = inngestApiBaseUrl().replace(/\/$/, "");
  if (inngestMode(env) === "dev") return { url, headers: {} };
  return { url, headers: { authorization: `Bearer ${env.INNGEST_SIGNING_KEY}` } };
}

async function get<T>(path: string, schema: z.ZodType<T>): Promise<T | null> {
  const { url, headers } = apiBase();
  const response = await fetch(`${url}${path}`, { headers, cache: "no-store", signal: AbortSignal.timeout(10_000) });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`Executor API ${path} answered ${response.status}`);
  return z.object({ data: schema }).parse(await response.json()).data;
}

/** A run as read for the dashboard and the recorder: the run, or why it could not be read. */
export type RunRead = { ok: true; run: ExecutorRunDetail } | { ok: false; reason: string };

const causeOf = (error: unknown): string =>
  error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);

/**
 * One run with its attempts, or the reason it cannot be had — unreachable, refused (401: the
 * signing key), unknown to the executor (404), or an executor whose API does not list attempts
 * (Inngest's own REST API). Callers show the reason; they never invent a count.
 */
async function readRun(runId: string): Promise<RunRead> {
  const { url, headers } = apiBase();
  let response: Response;
  try {
    response = await fetch(`${url}/v1/runs/${encodeURIComponent(runId)}`, { headers, cache: "no-store", signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError") return { ok: false, reason: "the executor did not answer within 10 s" };
    return { ok: false, reason: `executor unreachable: ${causeOf(error)}` };
  }
  if (response.status === 404) return { ok: false, reason: "the executor has no record of this run (404)" };
  if (response.status === 401 || response.status === 403) return { ok: false, reason: `the executor refused the request (${response.status}): check INNGEST_SIGNING_KEY` };
  if (!response.ok) return { ok: false, reason: `the executor answered ${response.status}` };
  const parsed = z.object({ data: runDetail }).safeParse(await response.json().catch(() => null));
  if (!parsed.success) return { ok: false, reason: "the executor's answer is not a run" };
  if (!parsed.data.data.attempts.length) return { ok: false, reason: "the executor's API does not list this run's attempts" };
  return { ok: true, run: parsed.data.data };
}

const app = z.object({ id: z.string(), url: z.string().nullable().optional(), synced_at: z.string().nullable().optional(), error: z.string().nullable().optional() });

export type ExecutorHealth =
  | { reachable: true; latencyMs: number; apps: z.infer<typeof app>[] | null }
  | { reachable: false; latencyMs: number; error: string };

/**
 * Is the executor answering, and when did it last sync this app (and with what error)? The local
 * engine lists its synced apps at /v1/apps; an executor without that listing (Inngest Cloud) is
 * reported reachable with no sync details.
 */
async function health(): Promise<ExecutorHealth> {
  const { url, headers } = apiBase();
  const started = performance.now();
  try {
    const response = await fetch(`${url}/v1/apps`, { headers, cache: "no-store", signal: AbortSignal.timeout(2000) });
    const latencyMs = Math.round(performance.now() - started);
    if (response.status === 404) return { reachable: true, latencyMs, apps: null };
    if (!response.ok) return { reachable: false, latencyMs, error: `answered ${response.status}` };
    const parsed = z.object({ data: z.array(app) }).safeParse(await response.json());
    return { reachable: true, latencyMs, apps: parsed.success ? parsed.data.data : null };
  } catch (error) {
    return { reachable: false, latencyMs: Math.round(performance.now() - started), error: causeOf(error) };
  }
}

export const executorApi = {
  health,
  eventRuns: (eventId: string) => get(`/v1/events/${encodeURIComponent(eventId)}/runs`, z.array(run)).then((r) => r ?? []),
  readRun,
  run: (runId: string) => get(`/v1/runs/${encodeURIComponent(runId)}`, runDetail),
};
