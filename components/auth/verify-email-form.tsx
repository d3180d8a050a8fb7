"use client";
import { useActionState } from "react";
import { verifyEmailAction } from "@/lib/accounts/actions/verify-email";
import { initialActionState } from "@/lib/action-state";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { useFormSubmit } from "@/components/ui/use-form-submit";

/** One button: opening the link changes nothing (mail scanners open links); pressing it verifies. */
export function VerifyEmailForm({ token }: { token: string }) {
  const [state, formAction] = useActionState(verifyEmailAction, initialActionState);
  const { formRef, onSubmit } = useFormSubmit(state, formAction);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="flex flex-col gap-4" aria-label="Confirm your email">
      <FormAlert error={state.formError ?? state.fieldErrors?.token?.[0]} />
      <input type="hidden" name="token" value={token} />
      <div>
        <SubmitButton pendingText="Confirming…">Confirm my email</SubmitButton>
      </div>
    </form>
  );
}
