// Shared by every background function: the onFailure recorder and the auto-resolve on success.
import { z } from "zod";
import { deadLetterIdOf, recordDeadLetter, resolveByRetry } from "@/lib/dead-letters/record";
import { executorApi } from "@/lib/dead-letters/executor-api";
import { subjectOf } from "@/lib/dead-letters/subject";
import { logger } from "@/lib/logger";

export type StepRunner = { run: (id: string, fn: () => Promise<unknown>) => Promise<unknown> };

/** Optional details read leniently: a missing or odd value must not cost the dead letter. */
const detail = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/**
 * The executor's `inngest/function.failed` payload: parsed, not trusted. Without the run, the
 * function or the original event's name there is nothing to record, so those are required.
 */
const failedRunSchema = z.object({
  function_id: z.string().min(1),
  run_id: z.string().min(1),
  error: z.object({ name: detail(z.string()), message: detail(z.string()), stack: detail(z.string()) }).catch({}),
  event: z.object({ name: z.string().min(1), id: detail(z.string()), data: z.unknown(), ts: detail(z.number()) }),
});

export type FailedRun = z.infer<typeof failedRunSchema>;

/** The failed run's original event data, read with the function's own event schema; null when it does not match. */
export function originalEventData<S extends z.ZodType>(failed: FailedRun, schema: S): z.output<S> | null {
  const parsed = schema.safeParse(failed.event.data);
  return parsed.success ? parsed.data : null;
}

/**
 * onFailure for a function: records the dead letter (upsert by run id), then runs the function's
 * own clean-up (e.g. "tell the person the avatar failed") with the parsed failure.
 */
export function onFailureRecordDeadLetter(functionName: string, then?: (failed: FailedRun, step: StepRunner) => Promise<void>) {
  return async ({ event, step }: { event: { data: unknown }; step: StepRunner }) => {
    const failed = failedRunSchema.parse(event.data);
    await step.run("record-dead-letter", async () => {
      const [attempts, subject] = await Promise.all([countAttempts(failed.run_id), subjectOf(failed.event)]);
      return recordDeadLetter({
        functionId: failed.function_id,
        functionName,
        runId: failed.run_id,
        event: failed.event,
        error: failed.error,
        attempts,
        subject,
        failedAt: new Date(),
      });
    });
    if (then) await then(failed, step);
  };
}

/**
 * The failed run's attempt count from the executor's read API, or null (unknown) when it cannot be
 * read: a guessed 1 would be a wrong count that looks like a fact.
 */
async function countAttempts(runId: string): Promise<number | null> {
  const read = await executorApi.readRun(runId);
  if (!read.ok) {
    logger.warn("could not read the failed run's attempts; recording them as unknown", { runId, reason: read.reason });
    return null;
  }
  const failures = read.run.attempts.filter((a) => a.outcome === "error" || a.outcome === "failed");
  // Attempts of the failing step(s); the final "discovery" request that reports the failure
  // (step id "step") is not an attempt of the work itself.
  const work = failures.filter((a) => a.step_id !== "step");
  const counted = (work.length ? work : failures).length;
  return counted || null;
}

/** At the end of a successful run: if it was a dead letter's retry, resolve that letter. */
export async function resolveDeadLetterIfRetry(step: StepRunner, event: { data?: unknown }, runId: string): Promise<void> {
  const deadLetterId = deadLetterIdOf(event);
  if (deadLetterId) await step.run("resolve-dead-letter", () => resolveByRetry(deadLetterId, runId));
}
