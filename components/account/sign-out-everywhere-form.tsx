"use client";
import { useActionState } from "react";
import { signOutEverywhereAction } from "@/lib/accounts/actions/sign-out-everywhere";
import { initialActionState } from "@/lib/action-state";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";

/** Ends every session of the signed-in person, this browser's too (a lost phone, a shared computer). */
export function SignOutEverywhereForm() {
  const [state, formAction] = useActionState(signOutEverywhereAction, initialActionState);
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Sign out everywhere">
      <p className="text-sm text-slate-700">Signed in on a computer you no longer use? This signs you out on every device, this one too.</p>
      <FormAlert error={state.formError} />
      <div>
        <SubmitButton variant="danger" pendingText="Signing out…">
          Sign out everywhere
        </SubmitButton>
      </div>
    </form>
  );
}
