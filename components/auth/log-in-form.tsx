"use client";
import { useActionState } from "react";
import { logInAction } from "@/lib/accounts/actions/log-in";
import { initialActionState } from "@/lib/action-state";
import { Field } from "@/components/ui/field";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { useFormSubmit } from "@/components/ui/use-form-submit";

export function LogInForm({ next }: { next?: string }) {
  const [state, formAction] = useActionState(logInAction, initialActionState);
  const { formRef, onSubmit } = useFormSubmit(state, formAction);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="flex flex-col gap-4">
      <FormAlert error={state.formError} />
      <input type="hidden" name="next" value={state.values?.next ?? next ?? ""} />
      <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={state.values?.email} errors={state.fieldErrors?.email} required />
      <Field label="Password" name="password" type="password" autoComplete="current-password" errors={state.fieldErrors?.password} required />
      <SubmitButton pendingText="Logging in…">Log in</SubmitButton>
    </form>
  );
}
