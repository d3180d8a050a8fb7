"use client";
import { useActionState, useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { runScheduleNowAction } from "@/lib/schedules/actions/run-schedule";
import { initialActionState } from "@/lib/action-state";
import { SubmitButton } from "@/components/ui/submit-button";

const REFRESH_MS = 1000;
const GIVE_UP_AFTER = 120; // refreshes

type Props = { scheduleId: string; name: string; lastRunId: string | null; lastRunFinished: boolean };

/**
 * "Run now" for one job. After the request it refreshes the page's server data every second until
 * a run other than the one shown at the click has finished, so the new outcome appears by itself.
 */
export function RunNowForm({ scheduleId, name, lastRunId, lastRunFinished }: Props) {
  const [state, formAction] = useActionState(runScheduleNowAction, initialActionState);
  const router = useRouter();
  const [shownAtClick, setShownAtClick] = useState<{ runId: string | null } | null>(null);
  const refreshes = useRef(0);

  const waiting = shownAtClick !== null && !state.formError && !(lastRunId !== shownAtClick.runId && lastRunFinished);
  useEffect(() => {
    if (!waiting || refreshes.current >= GIVE_UP_AFTER) return;
    const timer = setTimeout(() => {
      refreshes.current += 1;
      router.refresh();
    }, REFRESH_MS);
    return () => clearTimeout(timer);
  });

  return (
    <form
      action={formAction}
      onSubmit={() => {
        refreshes.current = 0;
        setShownAtClick({ runId: lastRunId });
      }}
      className="flex flex-wrap items-center gap-3"
      aria-label={`Run ${name} now`}
    >
      <input type="hidden" name="scheduleId" value={scheduleId} />
      <SubmitButton variant="quiet" pendingText="Starting…">
        Run now
      </SubmitButton>
      {state.ok && state.message ? (
        <span role="status" className="text-xs text-emerald-700">
          {state.message} {waiting ? "Running…" : "Done."}
        </span>
      ) : null}
      {state.formError ? (
        <span role="alert" className="text-xs text-red-700">
          {state.formError}
        </span>
      ) : null}
    </form>
  );
}
