"use client";
import { useActionState } from "react";
import { initialActionState } from "@/lib/action-state";
import { reopenDeadLetterAction } from "@/lib/dead-letters/actions/reopen-dead-letter";
import { resolveDeadLetterAction } from "@/lib/dead-letters/actions/resolve-dead-letter";
import { retryDeadLetterAction } from "@/lib/dead-letters/actions/retry-dead-letter";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";

export function RetryForm({ id }: { id: string }) {
  const [state, action] = useActionState(retryDeadLetterAction, initialActionState);
  return (
    <form action={action} aria-label="Retry" className="flex flex-col gap-2">
      <input type="hidden" name="id" value={id} />
      <FormAlert error={state.formError} message={state.message} />
      <div>
        <SubmitButton pendingText="Starting retry…">Retry</SubmitButton>
      </div>
    </form>
  );
}

export function ResolveForm({ id }: { id: string }) {
  const [state, action] = useActionState(resolveDeadLetterAction, initialActionState);
  const errors = state.fieldErrors?.note;
  return (
    <form action={action} aria-label="Resolve" className="flex flex-col gap-2" noValidate>
      <input type="hidden" name="id" value={id} />
      <FormAlert error={state.formError} message={state.message} />
      <label htmlFor="resolve-note" className="text-sm font-medium">
        Resolution note
      </label>
      <textarea
        id="resolve-note"
        name="note"
        rows={2}
        required
        defaultValue={state.values?.note}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errors ? "resolve-note-error" : undefined}
        className="rounded-lg border border-slate-300 px-3 py-2 text-sm"
        placeholder="Why is this resolved? (e.g. address fixed by support)"
      />
      {errors ? (
        <p id="resolve-note-error" className="text-sm text-red-600">
          {errors.join(" ")}
        </p>
      ) : null}
      <div>
        <SubmitButton variant="quiet" pendingText="Resolving…">
          Resolve
        </SubmitButton>
      </div>
    </form>
  );
}

export function ReopenForm({ id }: { id: string }) {
  const [state, action] = useActionState(reopenDeadLetterAction, initialActionState);
  return (
    <form action={action} aria-label="Reopen" className="flex flex-col gap-2">
      <input type="hidden" name="id" value={id} />
      <FormAlert error={state.formError} message={state.message} />
      <div>
        <SubmitButton variant="quiet" pendingText="Reopening…">
          Reopen
        </SubmitButton>
      </div>
    </form>
  );
}
