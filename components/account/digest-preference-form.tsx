"use client";
import { useActionState } from "react";
import { setDigestPreferenceAction } from "@/lib/digest/actions/digest-preference";
import { initialActionState } from "@/lib/action-state";
import { FormAlert } from "@/components/ui/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";

/** Weekly digest on/off for the signed-in person (the email's unsubscribe link does the same). */
export function DigestPreferenceForm({ subscribed }: { subscribed: boolean }) {
  const [state, formAction] = useActionState(setDigestPreferenceAction, initialActionState);
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Weekly digest">
      <p className="text-sm text-slate-700" data-testid="digest-state" data-subscribed={subscribed}>
        {subscribed ? "You get a short digest email every Monday." : "You don't get the weekly digest."}
      </p>
      <input type="hidden" name="digest" value={subscribed ? "off" : "on"} />
      <div>
        <SubmitButton variant="quiet" pendingText="Saving…">
          {subscribed ? "Turn off the weekly digest" : "Turn on the weekly digest"}
        </SubmitButton>
      </div>
      <FormAlert error={state.formError} message={state.ok ? state.message : undefined} />
    </form>
  );
}
