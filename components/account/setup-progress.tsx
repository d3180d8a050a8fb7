"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { SetupStatus } from "@/lib/accounts/setup-status";

const POLL_MS = 1000;

/** Polls the status route until both jobs have settled; the page never needs a reload. */
export function SetupProgress({ statusUrl, initial }: { statusUrl: string; initial: SetupStatus }) {
  const [status, setStatus] = useState(initial);
  const router = useRouter();
  const wasDone = useRef(initial.done);

  useEffect(() => {
    if (status.done) {
      // Once, when the work finishes: the server-rendered parts (header avatar, account card) update too.
      if (!wasDone.current) router.refresh();
      wasDone.current = true;
      return;
    }
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const response = await fetch(statusUrl, { cache: "no-store" });
        if (response.ok && !cancelled) setStatus((await response.json()) as SetupStatus);
      } catch {
        // Offline for a moment: the next tick tries again.
        if (!cancelled) setStatus((s) => ({ ...s }));
      }
    }, POLL_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [status, statusUrl, router]);

  return (
    <ul className="flex flex-col gap-3 text-sm" aria-live="polite" data-testid="setup-progress">
      <li className="flex items-center justify-between gap-4" data-testid="welcome-email-status" data-state={status.welcomeEmail}>
        <span>Welcome email</span>
        <Badge state={status.welcomeEmail === "sent" ? "done" : status.welcomeEmail === "failed" ? "failed" : "working"}>
          {{ queued: "Queued…", sent: "Sent", failed: "Couldn't send — we'll look into it" }[status.welcomeEmail]}
        </Badge>
      </li>
      {status.avatar !== "none" ? (
        <li className="flex items-center justify-between gap-4" data-testid="avatar-status" data-state={status.avatar}>
          <span className="flex items-center gap-3">
            Avatar
            {status.avatarUrl ? (
              // eslint-disable-next-line @next/next/no-img-element -- our own processed WebP, already sized
              <img src={status.avatarUrl} alt="Your avatar" width={48} height={48} className="h-12 w-12 rounded-full" />
            ) : null}
          </span>
          <Badge state={status.avatar === "ready" ? "done" : status.avatar === "failed" ? "failed" : "working"}>
            {{ processing: "Processing…", ready: "Ready", failed: "We couldn't process this image" }[status.avatar]}
          </Badge>
        </li>
      ) : null}
    </ul>
  );
}

function Badge({ state, children }: { state: "working" | "done" | "failed"; children: React.ReactNode }) {
  const styles = {
    working: "bg-amber-50 text-amber-800 ring-amber-200",
    done: "bg-emerald-50 text-emerald-800 ring-emerald-200",
    failed: "bg-red-50 text-red-700 ring-red-200",
  }[state];
  return <span className={`rounded-full px-3 py-1 text-xs font-medium ring-1 ${styles}`}>{children}</span>;
}
