"use client";
import { useActionState } from "react";
import { resendVerificationAction } from "@/lib/accounts/actions/resend-verification";
import { initialActionState } from "@/lib/action-state";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { useFormSubmit } from "@/components/ui/use-form-submit";

export function ResendVerificationForm() {
  const [state, formAction] = useActionState(resendVerificationAction, initialActionState);
  const { formRef, onSubmit } = useFormSubmit(state, formAction);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="flex flex-col gap-3" aria-label="Send the email again">
      <FormAlert error={state.formError} message={state.ok ? state.message : undefined} />
      <div>
        <SubmitButton variant="quiet" pendingText="Sending…">
          Send the email again
        </SubmitButton>
      </div>
    </form>
  );
}
