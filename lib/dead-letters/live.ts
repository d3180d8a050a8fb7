import "server-only";
import { statusOf } from "@/lib/dead-letters/queries";

/** How long one page follows its letters before it stops and offers to go on. */
export const LIVE_LIMIT_MS = 5 * 60_000;
const CHECK_MS = 1000;
const HEARTBEAT_MS = 15_000;

export type WatchResult = { kind: "changed"; ids: string[] } | { kind: "timeout" } | { kind: "aborted" };

/**
 * Waits until any of the letters (all in flight — RETRYING — when the page rendered) is no longer
 * in flight or is deleted, the time limit passes, or the client leaves. Compared with RETRYING
 * rather than with a first read, so a retry that failed between the render and the stream's start
 * still counts. One small indexed query a second per open page, on the server: the browser holds
 * one connection and re-renders once.
 */
export async function watchDeadLetters(ids: string[], opts: { signal: AbortSignal; limitMs?: number; heartbeat?: () => void }): Promise<WatchResult> {
  const key = (rows: { id: string; status: string }[]) => new Map(rows.map((r) => [r.id, r.status]));
  const started = Date.now();
  let lastBeat = started;
  const first = key(await statusOf(ids));
  const settled = ids.filter((id) => first.get(id) !== "RETRYING");
  if (settled.length) return { kind: "changed", ids: settled };
  while (!opts.signal.aborted) {
    if (Date.now() - started >= (opts.limitMs ?? LIVE_LIMIT_MS)) return { kind: "timeout" };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CHECK_MS);
      opts.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (opts.signal.aborted) break;
    const now = key(await statusOf(ids));
    const changed = ids.filter((id) => now.get(id) !== "RETRYING");
    if (changed.length) return { kind: "changed", ids: changed };
    if (opts.heartbeat && Date.now() - lastBeat >= HEARTBEAT_MS) {
      lastBeat = Date.now();
      opts.heartbeat();
    }
  }
  return { kind: "aborted" };
}
