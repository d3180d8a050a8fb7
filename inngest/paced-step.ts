import { PaceWait } from "@/lib/email/pace";

/** What a paced step returns when it did not send: how long the queue ahead of it is. */
type Waited = { paceWaitMs: number };
const waited = (value: unknown): value is Waited => typeof value === "object" && value !== null && "paceWaitMs" in value;

type PacedSteps = {
  run: <T>(id: string, fn: () => Promise<T>) => Promise<unknown>;
  sleep: (id: string, duration: string) => Promise<unknown>;
};

/**
 * A step that sends transactional mail, at the provider's pace. When the pacer's queue ahead is
 * longer than a step may wait (PaceWait), the step ends without sending and the run sleeps in the
 * executor until the slot is near, then tries again under the next step id (`send`, `send-after-wait-1`,
 * …). A sleep spends none of the run's attempts: as a RetryAfterError each wait did, so a backlog
 * longer than about five inline waits (~100 s) failed sign-up mail into dead letters.
 * The work's own error handling must let PaceWait through, uncounted (`isPaceWait`, lib/email/pace.ts).
 */
export async function pacedStep<T>(step: PacedSteps, id: string, work: () => Promise<T>): Promise<T> {
  for (let wait = 0; ; wait++) {
    const result = await step.run(wait === 0 ? id : `${id}-after-wait-${wait}`, async () => {
      try {
        return await work();
      } catch (error) {
        if (error instanceof PaceWait) return { paceWaitMs: error.waitMs } satisfies Waited;
        throw error;
      }
    });
    if (!waited(result)) return result as T;
    await step.sleep(`${id}-pace-wait-${wait + 1}`, `${Math.max(1, Math.ceil(result.paceWaitMs / 1000))}s`);
  }
}
