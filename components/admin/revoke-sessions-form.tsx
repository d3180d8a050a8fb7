"use client";
import { useActionState } from "react";
import { revokeSessionsAction } from "@/lib/accounts/actions/revoke-sessions";
import { initialActionState } from "@/lib/action-state";
import { SubmitButton } from "@/components/ui/submit-button";

export function RevokeSessionsForm({ userId, email }: { userId: string; email: string }) {
  const [state, formAction] = useActionState(revokeSessionsAction, initialActionState);
  return (
    <form action={formAction} className="flex items-center gap-3" aria-label={`Sign out ${email}`}>
      <input type="hidden" name="userId" value={userId} />
      <SubmitButton variant="danger" pendingText="Signing out…">
        Sign out everywhere
      </SubmitButton>
      {state.message ? <span role="status" className="text-xs text-emerald-700">{state.message}</span> : null}
      {state.formError ? <span role="alert" className="text-xs text-red-700">{state.formError}</span> : null}
    </form>
  );
}
