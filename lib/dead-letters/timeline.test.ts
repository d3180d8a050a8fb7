import { describe, expect, it } from "vitest";
import { buildTimeline } from "@/lib/dead-letters/timeline";

const at = (ms: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0) + ms).toISOString();
const attempt = (step: string, n: number, outcome: string, start: number, end: number, message?: string) => ({
  step_id: step,
  step_name: step,
  attempt: n,
  outcome,
  error: message ? { name: "Error", message } : null,
  started_at: at(start),
  ended_at: at(end),
});

describe("buildTimeline", () => {
  it("collapses repeats, keeps durations and the waits between attempts, drops the executor's own request", () => {
    const timeline = buildTimeline([
      attempt("load-recipient", 0, "ok", 0, 20),
      attempt("send", 0, "error", 30, 130, "provider answered 503"),
      attempt("send", 1, "error", 930, 1030, "provider answered 503"),
      attempt("send", 2, "failed", 2530, 2600, "provider answered 503"),
      { step_id: "step", attempt: 0, outcome: "failed", error: { name: "Error", message: "provider answered 503" }, started_at: at(2610), ended_at: at(2620) },
    ]);
    expect(timeline.attempts).toBe(4);
    expect(timeline.rows.map((r) => [r.step, r.outcome, r.bars.length])).toEqual([
      ["load-recipient", "succeeded", 1],
      ["send", "failed for good", 3],
    ]);
    expect(timeline.rows[1]!.error).toBe("provider answered 503");
    expect(timeline.rows[1]!.bars.map((b) => [b.attempt, b.durationMs, b.waitBeforeMs])).toEqual([
      [1, 100, 10],
      [2, 100, 800],
      [3, 70, 1500],
    ]);
    expect(timeline.end - timeline.start).toBe(2600);
  });

  it("keeps a different error on its own row", () => {
    const timeline = buildTimeline([attempt("send", 0, "error", 0, 10, "timeout"), attempt("send", 1, "failed", 20, 30, "answered 422")]);
    expect(timeline.rows.map((r) => r.error)).toEqual(["timeout", "answered 422"]);
  });
});
