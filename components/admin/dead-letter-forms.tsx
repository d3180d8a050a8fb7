"use client";
import { useActionState, useState } from "react";
import { initialActionState } from "@/lib/action-state";
import { reopenDeadLetterAction } from "@/lib/dead-letters/actions/reopen-dead-letter";
import { resolveDeadLetterAction } from "@/lib/dead-letters/actions/resolve-dead-letter";
import { retryDeadLetterAction } from "@/lib/dead-letters/actions/retry-dead-letter";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";

/**
 * Retry. A permanent failure (the step said retrying would not help) first says so and asks: the
 * same input is expected to fail the same way unless its cause was fixed.
 */
export function RetryForm({ id, permanent }: { id: string; permanent?: { errorName: string; errorMessage: string } | null }) {
  const [state, action] = useActionState(retryDeadLetterAction, initialActionState);
  const [confirming, setConfirming] = useState(false);
  if (permanent && !confirming) {
    return (
      <div className="flex flex-col gap-2">
        <FormAlert error={state.formError} message={state.message} />
        <div>
          <button type="button" onClick={() => setConfirming(true)} className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
            Retry…
          </button>
        </div>
      </div>
    );
  }
  return (
    <form action={action} aria-label="Retry" className="flex flex-col gap-2">
      <input type="hidden" name="id" value={id} />
      {permanent ? (
        <div role="alertdialog" aria-labelledby={`confirm-${id}`} aria-describedby={`confirm-${id}-why`} className="flex flex-col gap-2 rounded-lg bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="permanent-confirm">
          <input type="hidden" name="confirmPermanent" value="yes" />
          <p id={`confirm-${id}`} className="font-semibold">
            Retry a permanent failure?
          </p>
          <p id={`confirm-${id}-why`} className="break-words">
            The step gave up at once with <code className="font-mono text-xs">{permanent.errorName}</code>: “{permanent.errorMessage}”. That error means retrying the same input is expected to fail the same way.
            Retry only if its cause has been fixed (for example the address or the provider&apos;s setting).
          </p>
        </div>
      ) : null}
      <FormAlert error={state.formError} message={state.message} />
      <div className="flex flex-wrap gap-2">
        <SubmitButton pendingText="Starting retry…">{permanent ? "Retry anyway" : "Retry"}</SubmitButton>
        {permanent ? (
          <button type="button" onClick={() => setConfirming(false)} className="rounded-lg px-4 py-2 text-sm font-semibold text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
            Cancel
          </button>
        ) : null}
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
