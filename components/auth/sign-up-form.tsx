"use client";
import { useActionState, useState } from "react";
import { signUpAction } from "@/lib/accounts/actions/sign-up";
import { initialActionState } from "@/lib/action-state";
import { NAME_MAX, PASSWORD_MIN } from "@/lib/accounts/schemas";
import { AVATAR_ACCEPT, avatarFileProblem } from "@/lib/avatars/schemas";
import { Field } from "@/components/ui/field";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { useFormSubmit } from "@/components/ui/use-form-submit";

export function SignUpForm() {
  const [state, formAction] = useActionState(signUpAction, initialActionState);
  // The chosen file is checked here first (size, then its first bytes) so a 30 MB photo or a
  // document named .png is refused before it is uploaded; the server checks again.
  const [avatarError, setAvatarError] = useState<string | null>(null);
  const avatarErrors = avatarError ? [avatarError] : state.fieldErrors?.avatar;
  const { formRef, onSubmit } = useFormSubmit(state, formAction, () => !avatarError);

  return (
    // noValidate: the server's messages are the ones people see, the same with or without JS.
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="flex flex-col gap-4">
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
      <Field
        label="Avatar (optional)"
        name="avatar"
        type="file"
        accept={AVATAR_ACCEPT}
        hint="PNG, JPEG, WebP or GIF, up to 5 MB. We resize it in the background."
        errors={avatarErrors}
        onChange={async (event) => {
          const file = event.currentTarget.files?.[0];
          setAvatarError(file ? await avatarFileProblem(file) : null);
        }}
      />
      <SubmitButton pendingText="Creating your account…">Create account</SubmitButton>
    </form>
  );
}
