import { LogInLinks } from "@/components/ui/log-in-links";

export function FormAlert({ error, message }: { error?: string; message?: string }) {
  if (error) {
    return (
      // Focusable (not tabbable) so a failed submit can move focus here (components/ui/use-form-submit.ts).
      <p role="alert" tabIndex={-1} className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-red-200">
        <LogInLinks text={error} />
      </p>
    );
  }
  if (message) {
    return (
      <p role="status" className="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200">
        <LogInLinks text={message} />
      </p>
    );
  }
  return null;
}
