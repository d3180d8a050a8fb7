"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { Retrying, SetupStatus } from "@/lib/accounts/setup-status";
import { AVATAR_FIELD_ID } from "@/lib/avatars/schemas";
import { SendWelcomeAgainForm } from "@/components/account/send-welcome-again-form";

const POLL_MS = 1000;

const retryingText = (r: NonNullable<Retrying>) => `Retrying (attempt ${r.attempt} of ${r.of})`;

/**
 * The status route's answer; null when there is nothing more to watch (signed out, the account is
 * gone). A server or database having a moment (5xx, 429) throws, like a network error: the poll
 * tries again — a page that stopped at the first 503 said "Queued…" for ever.
 */
async function fetchStatus(url: string): Promise<SetupStatus | null> {
  const response = await fetch(url, { cache: "no-store" });
  if (response.ok) return (await response.json()) as SetupStatus;
  if (response.status >= 500 || response.status === 429) throw new Error(`The status route answered ${response.status}`);
  return null;
}

/**
 * Polls the status route until both jobs have settled (and checks again when the person comes back
 * to a tab where one has failed); the page never needs a reload. While a job retries it says which
 * attempt is under way; when one fails for good it says what the person can do (send the email
 * again, choose another image).
 */
export function SetupProgress({ statusUrl, initial }: { statusUrl: string; initial: SetupStatus }) {
  const [status, setStatus] = useState(initial);
  // A server render after an action (send again, a new image) brings a new `initial`: follow it.
  const [seen, setSeen] = useState(initial);
  if (initial !== seen) {
    setSeen(initial);
    setStatus(initial);
  }
  const router = useRouter();
  const wasDone = useRef(initial.done);

  useEffect(() => {
    if (status.done) {
      // Once, when the work finishes: the server-rendered parts (header avatar, account card) update too.
      if (!wasDone.current) router.refresh();
      wasDone.current = true;
      return;
    }
    wasDone.current = false;
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const next = await fetchStatus(statusUrl);
        if (next && !cancelled) setStatus(next);
      } catch {
        // Offline or the server failing for a moment: the next tick tries again.
        if (!cancelled) setStatus((s) => ({ ...s }));
      }
    }, POLL_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [status, statusUrl, router]);

  // Something failed for good: polling has stopped, but someone may still retry it (the support
  // team, from the dead-letter dashboard). Coming back to the tab checks again; if it is on its way,
  // the poll above resumes and the line follows it to the end.
  const failed = status.welcomeEmail === "failed" || status.avatar === "failed";
  useEffect(() => {
    if (!failed) return;
    const check = async () => {
      if (document.visibilityState !== "visible") return;
      try {
        const next = await fetchStatus(statusUrl);
        if (next) setStatus(next);
      } catch {
        // Offline: the next visit checks again.
      }
    };
    document.addEventListener("visibilitychange", check);
    window.addEventListener("focus", check);
    return () => {
      document.removeEventListener("visibilitychange", check);
      window.removeEventListener("focus", check);
    };
  }, [failed, statusUrl]);

  const welcomeState = status.welcomeEmailRetrying ? "retrying" : status.welcomeEmail;
  const avatarState = status.avatarRetrying ? "retrying" : status.avatar;
  return (
    <ul className="flex flex-col gap-4 text-sm" data-testid="setup-progress">
      <li className="flex flex-col gap-2" data-testid="welcome-email-status" data-state={welcomeState}>
        <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1" aria-live="polite">
          <span>Welcome email</span>
          <Badge state={status.welcomeEmail === "sent" ? "done" : status.welcomeEmail === "failed" ? "failed" : "working"}>
            {status.welcomeEmailRetrying ? retryingText(status.welcomeEmailRetrying) : { queued: "Queued…", sent: "Sent", failed: "Couldn't send" }[status.welcomeEmail]}
          </Badge>
        </div>
        {status.welcomeEmail === "failed" ? (
          <>
            <p className="text-slate-600">Our mail service couldn&apos;t deliver it. You can ask for it again.</p>
            <SendWelcomeAgainForm />
          </>
        ) : null}
      </li>
      {status.avatar !== "none" ? (
        <li className="flex flex-col gap-2" data-testid="avatar-status" data-state={avatarState}>
          <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1" aria-live="polite">
            <span>Avatar</span>
            <Badge state={status.avatar === "ready" ? "done" : status.avatar === "failed" ? "failed" : "working"}>
              {status.avatarRetrying ? retryingText(status.avatarRetrying) : { processing: "Processing…", ready: "Ready", failed: "We couldn't process this image" }[status.avatar]}
            </Badge>
          </div>
          {status.avatar === "failed" ? (
            <p className="text-slate-600">
              <button
                type="button"
                className="min-h-6 font-medium text-indigo-600 underline"
                onClick={() => {
                  // The avatar form's file field, further down the page: there, and its picker open.
                  const field = document.getElementById(AVATAR_FIELD_ID);
                  field?.focus();
                  field?.click();
                }}
              >
                Choose another image
              </button>{" "}
              (a PNG, JPEG, WebP or GIF up to 5 MB).
            </p>
          ) : null}
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
