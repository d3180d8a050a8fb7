"use client";
import { useEffect, useState } from "react";
import type { PendingSignUpStatus as Status } from "@/lib/accounts/sign-up-attempts";

const POLL_MS = 1000;

/**
 * "We're sending an email to <address>… sent ✓ / retrying": polls /api/sign-up/status until the
 * email is out (or has failed for good). The same four states for every address.
 */
export function PendingEmailProgress({ email, initial }: { email: string; initial: Status }) {
  const [status, setStatus] = useState<Status>(initial);
  // Bumped after every poll, so the next one is scheduled even when the status did not change.
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (status === "sent" || status === "failed" || status === "idle") return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const response = await fetch("/api/sign-up/status", { cache: "no-store" });
        if (response.ok && !cancelled) setStatus(((await response.json()) as { status: Status }).status);
      } catch {
        // Offline for a moment: try again on the next tick.
      }
      if (!cancelled) setTick((t) => t + 1);
    }, POLL_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [status, tick]);

  const text = {
    idle: `We sent a link to ${email} when you signed up.`,
    sending: `We're sending an email to ${email}…`,
    retrying: `We're sending an email to ${email}… the mail service didn't answer, so we're retrying.`,
    sent: `We've sent an email to ${email}.`,
    failed: `We couldn't send the email to ${email}. Try sending it again in a few minutes.`,
  }[status];
  const badge = { idle: null, sending: "Sending…", retrying: "Retrying…", sent: "Sent ✓", failed: "Couldn't send" }[status];
  const tone = status === "sent" ? "bg-emerald-50 text-emerald-800 ring-emerald-200" : status === "failed" ? "bg-red-50 text-red-700 ring-red-200" : "bg-amber-50 text-amber-800 ring-amber-200";

  return (
    <p className="flex items-center justify-between gap-4 text-sm" aria-live="polite" data-testid="pending-email" data-state={status}>
      <span>{text}</span>
      {badge ? <span className={`shrink-0 rounded-full px-3 py-1 text-xs font-medium ring-1 ${tone}`}>{badge}</span> : null}
    </p>
  );
}
