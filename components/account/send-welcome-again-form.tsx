"use client";
import { useActionState } from "react";
import { sendWelcomeEmailAgainAction } from "@/lib/accounts/actions/send-welcome-email-again";
import { initialActionState } from "@/lib/action-state";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { useFormSubmit } from "@/components/ui/use-form-submit";

/** What the person can do when their welcome email failed for good: ask for it again (limited). */
export function SendWelcomeAgainForm() {
  const [state, formAction] = useActionState(sendWelcomeEmailAgainAction, initialActionState);
  const { formRef, onSubmit } = useFormSubmit(state, formAction);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="flex flex-col gap-2" aria-label="Send the welcome email again">
      <FormAlert error={state.formError} message={state.ok ? state.message : undefined} />
      <div>
        <SubmitButton variant="quiet" pendingText="Sending…">
          Send again
        </SubmitButton>
      </div>
    </form>
  );
}
