"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * Follows the letters in flight through one server-sent event stream
 * (/api/admin/dead-letters/live): the page re-renders once when one of them changes, not on a
 * timer. The stream ends after a few minutes; then a button offers to keep following.
 */
export function LiveUpdates({ ids, label = "retry" }: { ids: string[]; label?: string }) {
  const router = useRouter();
  const key = ids.join(",");
  const [state, setState] = useState<"following" | "paused">("following");
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (!key || state !== "following") return;
    const source = new EventSource(`/api/admin/dead-letters/live?ids=${key}`);
    let errors = 0;
    source.addEventListener("change", () => {
      source.close();
      router.refresh();
    });
    source.addEventListener("timeout", () => {
      source.close();
      setState("paused");
    });
    source.onerror = () => {
      errors += 1;
      if (errors >= 3) {
        source.close();
        setState("paused");
      }
    };
    return () => source.close();
  }, [key, state, round, router]);

  if (!key) return null;
  const n = ids.length;
  return (
    <p role="status" className="flex flex-wrap items-center gap-2 text-sm text-slate-700" data-testid="live-status" data-state={state}>
      {state === "following" ? (
        <>
          <span className="inline-block h-2 w-2 animate-pulse rounded-full bg-amber-500" aria-hidden="true" />
          Following {n === 1 ? `the ${label}` : `${n} ${label}s`} in progress; this page updates when {n === 1 ? "it finishes" : "one finishes"}.
        </>
      ) : (
        <>
          Stopped following after a few minutes.
          <button
            type="button"
            className="min-h-6 font-medium text-indigo-700 hover:underline"
            onClick={() => {
              setState("following");
              setRound((r) => r + 1);
              router.refresh();
            }}
          >
            Keep following
          </button>
        </>
      )}
    </p>
  );
}
