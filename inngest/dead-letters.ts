// Shared by every background function: the onFailure recorder and the auto-resolve on success.
import { deadLetterIdOf, recordDeadLetter, resolveByRetry } from "@/lib/dead-letters/record";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { logger } from "@/lib/logger";

type StepRunner = { run: (id: string, fn: () => Promise<unknown>) => Promise<unknown> };

type FailureContext = {
  event: {
    data: {
      function_id: string;
      run_id: string;
      error: { name?: string; message?: string; stack?: string };
      event: { name: string; id?: string; data?: unknown; ts?: number };
    };
  };
  step: StepRunner;
};

/**
 * onFailure for a function: records the dead letter (upsert by run id), then runs the function's
 * own clean-up (e.g. "tell the person the avatar failed").
 */
export function onFailureRecordDeadLetter<C extends FailureContext>(functionName: string, then?: (ctx: C) => Promise<void>) {
  return async (ctx: C) => {
    const failed = ctx.event.data;
    await ctx.step.run("record-dead-letter", async () => {
      const attempts = await countAttempts(failed.run_id);
      return recordDeadLetter({
        functionId: failed.function_id,
        functionName,
        runId: failed.run_id,
        event: failed.event,
        error: failed.error,
        attempts,
        failedAt: new Date(),
      });
    });
    if (then) await then(ctx);
  };
}

/** The failed run's attempt count from the executor's read API; 1 if it cannot be read. */
async function countAttempts(runId: string): Promise<number> {
  try {
    const run = await executorApi.run(runId);
    const failures = (run?.attempts ?? []).filter((a) => a.outcome === "error" || a.outcome === "failed");
    // Attempts of the failing step(s); the final "discovery" request that reports the failure
    // (step id "step") is not an attempt of the work itself.
    const work = failures.filter((a) => a.step_id !== "step");
    return Math.max(1, (work.length ? work : failures).length);
  } catch (error) {
    logger.warn("could not read the failed run's attempts", { runId, error: String(error) });
    return 1;
  }
}

/** At the end of a successful run: if it was a dead letter's retry, resolve that letter. */
export async function resolveDeadLetterIfRetry(step: StepRunner, event: { data?: unknown }, runId: string): Promise<void> {
  const deadLetterId = deadLetterIdOf(event);
  if (deadLetterId) await step.run("resolve-dead-letter", () => resolveByRetry(deadLetterId, runId));
}
