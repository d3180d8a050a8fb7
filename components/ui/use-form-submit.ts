"use client";
import { startTransition, useEffect, useRef, type FormEvent } from "react";
import type { ActionState } from "@/lib/action-state";

/**
 * What every person-facing form does with its action:
 * - Keeps what was typed after a server error — the password and the chosen file too — without
 *   ever writing the password into the HTML: the action is started from `onSubmit`, so React does
 *   not reset the form afterwards as it does for `<form action={fn}>` (the values simply stay in
 *   the inputs; the server echoes only the safe fields, for the no-JS path).
 * - `check` may refuse the submit in the browser first (a file too big); it returns false to stop.
 * - After a failed submit, focus moves to the first field with an error, or to the form's alert
 *   when the error is about the whole form, so a keyboard or screen-reader user lands on it.
 */
export function useFormSubmit(state: ActionState, formAction: (payload: FormData) => void, check?: (form: HTMLFormElement) => boolean) {
  const formRef = useRef<HTMLFormElement>(null);
  const first = useRef(true);

  useEffect(() => {
    // Not on the first render: an empty form is not an error to jump to.
    if (first.current) {
      first.current = false;
      return;
    }
    focusFirstError(formRef.current);
  }, [state]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (check && !check(form)) {
      focusFirstError(form);
      return;
    }
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const formData = new FormData(form, submitter instanceof HTMLElement ? submitter : undefined);
    startTransition(() => formAction(formData));
  };

  return { formRef, onSubmit };
}

/** Focuses the first invalid field (in the order of the form), else the form's alert. */
export function focusFirstError(form: HTMLFormElement | null) {
  if (!form) return;
  const target = form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.querySelector<HTMLElement>('[role="alert"]');
  target?.focus();
}
