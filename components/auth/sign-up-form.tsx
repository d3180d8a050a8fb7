"use client";
import { useActionState } from "react";
import { signUpAction } from "@/lib/actions/sign-up";
import { initialActionState } from "@/lib/action-state";
import { NAME_MAX, PASSWORD_MIN } from "@/lib/schemas/auth";
import { Field } from "@/components/ui/field";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";

export function SignUpForm() {
  const [state, formAction] = useActionState(signUpAction, initialActionState);
  return (
    // noValidate: the server's messages are the ones people see, the same with or without JS.
    <form action={formAction} noValidate className="flex flex-col gap-4">
      <FormAlert error={state.formError} />
      <Field label="Name" name="name" autoComplete="name" maxLength={NAME_MAX} defaultValue={state.values?.name} errors={state.fieldErrors?.name} required />
      <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={state.values?.email} errors={state.fieldErrors?.email} required />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN} characters.`}
        errors={state.fieldErrors?.password}
        required
      />
      <SubmitButton pendingText="Creating your account…">Create account</SubmitButton>
    </form>
  );
}
