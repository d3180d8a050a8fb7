"use client";
import { useActionState } from "react";
import { initialActionState } from "@/lib/action-state";
import { startBulkActionAction } from "@/lib/dead-letters/actions/start-bulk-action";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";

export function BulkConfirmForm({ kind, params, count }: { kind: "retry" | "resolve"; params: Record<string, string>; count: number }) {
  const [state, action] = useActionState(startBulkActionAction, initialActionState);
  const noteErrors = state.fieldErrors?.note;
  return (
    <form action={action} className="flex flex-col gap-3" aria-label="Confirm bulk action" noValidate>
      <input type="hidden" name="kind" value={kind} />
      {Object.entries(params).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <FormAlert error={state.formError} />
      {kind === "resolve" ? (
        <>
          <label htmlFor="bulk-note" className="text-sm font-medium">
            Resolution note (recorded on every row)
          </label>
          <textarea id="bulk-note" name="note" rows={2} defaultValue={state.values?.note} aria-invalid={noteErrors ? true : undefined} aria-describedby={noteErrors ? "bulk-note-error" : undefined} className="rounded-lg border border-slate-300 px-3 py-2 text-sm" />
          {noteErrors ? (
            <p id="bulk-note-error" className="text-sm text-red-600">
              {noteErrors.join(" ")}
            </p>
          ) : null}
        </>
      ) : null}
      <div>
        <SubmitButton pendingText="Starting…">{`${kind === "retry" ? "Retry" : "Resolve"} ${count} dead letter${count === 1 ? "" : "s"}`}</SubmitButton>
      </div>
    </form>
  );
}
