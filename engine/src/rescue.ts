// Lease rescue with a cap: an item whose process died while it was in flight goes back to the
// queue, unless that already happened `maxRescues` times; then the step is what takes the process
// down (say, a response too big to handle), and the run fails like an exhausted retry: the error
// names the cause, inngest/function.failed is emitted and onFailure runs.
import type { Ctx } from "./context";
import { failRun } from "./events";
import { rescueExpired } from "./queue";
import { recordAttempt } from "./run-store";
import { writeBack } from "./writeback";

/** `itemErrors`: what this process met handling items it left to their leases (worker.ts). */
export async function rescue(ctx: Ctx, ownItems: number[] = [], itemErrors?: ReadonlyMap<number, string>): Promise<number> {
  const { requeued, overCap } = await rescueExpired(ctx, ownItems);
  for (const item of overCap) {
    const now = ctx.clock();
    await writeBack(ctx, item, null, now, async (tx, it, locked) => {
      // Renewed meanwhile: its process is alive after all.
      if (locked.lease_until && locked.lease_until.getTime() >= ctx.clock()) return { next: null, releasedSlots: false, notify: false };
      const what = it.kind === "call" ? (it.step_id === "step" ? "the run's discovery request (the step it ran inline)" : `step ${it.step_id}`) : `the ${it.kind} item of step ${it.step_id}`;
      // Failed in this process without it dying (a write-back the database refused, say): that
      // error, not a crash, is what the run failed of.
      const failed = itemErrors?.get(it.id);
      const error = failed
        ? {
            name: "StepFailedInEngine",
            message: `the engine could not finish ${what} ${ctx.opts.maxRescues} times (its lease expired each time); the last error: ${failed}. Failing the run instead of running it again`,
          }
        : {
            name: "StepCrashedEngine",
            message: `the engine process died ${ctx.opts.maxRescues} times while running ${what} (its lease expired each time); failing the run instead of running it again`,
          };
      await recordAttempt(tx, ctx, it, { stepId: it.step_id, outcome: "failed", error, startedAt: now });
      ctx.log.warn(failed ? "step failed in the engine too often, run failed" : "step crashed the engine too often, run failed", { run: it.run_id, step: it.step_id, rescues: ctx.opts.maxRescues });
      await failRun(ctx, tx, it.run_id, error);
      return { next: null, releasedSlots: true, notify: true };
    });
  }
  return requeued + overCap.length;
}
