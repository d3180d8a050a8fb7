"use client";
import { useActionState, useState } from "react";
import { revokeSessionsAction } from "@/lib/accounts/actions/revoke-sessions";
import { initialActionState } from "@/lib/action-state";
import { SubmitButton } from "@/components/ui/submit-button";

/** "Sign out everywhere" for a user, on the admin's user page: it asks first, then acts. */
export function RevokeSessionsForm({ userId, email, sessions }: { userId: string; email: string; sessions?: number }) {
  const [state, formAction] = useActionState(revokeSessionsAction, initialActionState);
  const [confirming, setConfirming] = useState(false);
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label={`Sign out ${email}`}>
      <input type="hidden" name="userId" value={userId} />
      {confirming ? (
        <div role="alertdialog" aria-labelledby={`revoke-${userId}`} className="flex flex-col gap-3 rounded-lg bg-red-50 p-3 text-sm text-red-900 ring-1 ring-red-200">
          <p id={`revoke-${userId}`}>
            Sign {email} out of {sessions === undefined ? "every session" : `${sessions} session${sessions === 1 ? "" : "s"}`}? They will have to log in again on every device.
          </p>
          <div className="flex flex-wrap gap-2">
            <SubmitButton variant="danger" pendingText="Signing out…">
              Sign out everywhere
            </SubmitButton>
            <button type="button" onClick={() => setConfirming(false)} className="rounded-lg px-4 py-2 text-sm font-semibold text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div>
          <button type="button" onClick={() => setConfirming(true)} className="rounded-lg bg-white px-4 py-2 text-sm font-semibold text-red-700 shadow-sm ring-1 ring-red-300 hover:bg-red-50">
            Sign out everywhere…
          </button>
        </div>
      )}
      {state.message ? <p role="status" className="text-sm text-emerald-800">{state.message}</p> : null}
      {state.formError ? <p role="alert" className="text-sm text-red-700">{state.formError}</p> : null}
    </form>
  );
}
