// The dead letter page's Attempts panel when the executor's record of a run cannot be read: it says
// "Timeline unavailable (<reason>)" and never shows a count it does not have. The page's own data
// function (letterRuns) reads through the app's executor client against a fake executor at the
// configured address; the panel is rendered as the page renders it.
import { randomUUID } from "node:crypto";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { RunTimelines } from "@/components/admin/run-timelines";
import { recordDeadLetter } from "@/lib/dead-letters/record";
import { letterRuns } from "@/lib/dead-letters/runs";
import { db } from "@/lib/db";
import { failedRun, startFakeExecutor, type FakeAnswer } from "@/tests/harness/fake-executor";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();

async function letter(attempts: number | null) {
  const runId = `run-${randomUUID()}`;
  const { id } = await recordDeadLetter({
    functionId: "signup-app-user.welcome-email",
    functionName: "Send welcome email",
    runId,
    event: { name: "user/email.verified", id: randomUUID(), data: { userId: randomUUID() } },
    error: { name: "Error", message: "Email provider answered 503" },
    attempts,
    failedAt: new Date("2026-11-30T12:00:00Z"),
  });
  return db.deadLetterJob.findUniqueOrThrow({ where: { id } });
}

async function panelFor(row: Awaited<ReturnType<typeof letter>>, answer: FakeAnswer | "unreachable") {
  const executor = answer === "unreachable" ? null : await startFakeExecutor(answer);
  try {
    const runs = await letterRuns(row);
    return { runs, html: text(renderToStaticMarkup(createElement(RunTimelines, { runs }))) };
  } finally {
    await executor?.stop();
  }
}

describe("the dead letter's Attempts panel", () => {
  it("says the timeline is unavailable, and why, when the executor cannot be reached", async () => {
    const row = await letter(null);
    const { html } = await panelFor(row, "unreachable");
    expect(html).toMatch(/Timeline unavailable \(executor unreachable: connect ECONNREFUSED 127\.0\.0\.1:\d+\)/);
    expect(html).toContain("failed after unknown attempts — Error: Email provider answered 503");
    expect(html).not.toMatch(/\d+ attempts? over/);
  });

  it.each([
    [{ status: 401 }, "Timeline unavailable (the executor refused the request (401): check INNGEST_SIGNING_KEY)"],
    [{ status: 404 }, "Timeline unavailable (the executor has no record of this run (404))"],
    [{ status: 500 }, "Timeline unavailable (the executor answered 500)"],
    [{ status: 200, body: { data: { run_id: "r", status: "Failed" } } }, "Timeline unavailable (the executor's API does not list this run's attempts)"],
    [{ status: 200, body: { data: "not a run" } }, "Timeline unavailable (the executor's answer is not a run)"],
  ])("says the timeline is unavailable when the executor answers %j", async (answer, expected) => {
    const row = await letter(null);
    const { html, runs } = await panelFor(row, answer);
    expect(html).toContain(expected);
    expect(runs).toMatchObject([{ runId: row.runId, timeline: null, status: null }]);
    expect(html).toContain("failed after unknown attempts");
  });

  it("shows the executor's waterfall when it can read the run", async () => {
    const row = await letter(3);
    const { html } = await panelFor(row, { status: 200, body: failedRun(row.runId, 3) });
    expect(html).toContain("3 attempts over");
    expect(html).not.toContain("Timeline unavailable");
  });
});
