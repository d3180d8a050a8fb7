"use client";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { INTERNAL_FORM_ERROR } from "@/lib/action-state";
import { AVATAR_ACCEPT, AVATAR_FIELD_ID, avatarFileProblem } from "@/lib/avatars/schemas";
import { Field } from "@/components/ui/field";
import { FormAlert } from "@/components/ui/form-alert";
import { focusFirstError } from "@/components/ui/use-form-submit";

type Answer = { message?: string; error?: { message?: string; fieldErrors?: Record<string, string[]> } };

/**
 * "Choose an image" / "Choose another image": posts the file to /api/account/avatar (a route, so
 * this one upload may be 5 MB). The file is checked in the browser first (size and its first
 * bytes); after a server error the file stays chosen and focus moves to the field's message. The
 * page then follows the resize live (SetupProgress), after a refresh brings the new status.
 */
export function AvatarForm({ hasAvatar }: { hasAvatar: boolean }) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const fail = (field: string | null, form: string | null) => {
    setFieldError(field);
    setFormError(form);
    // After React has rendered the message and aria-invalid.
    requestAnimationFrame(() => focusFirstError(formRef.current));
  };

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setMessage(null);
    const form = event.currentTarget;
    const file = (form.elements.namedItem("avatar") as HTMLInputElement | null)?.files?.[0];
    if (!file) return fail("Choose an image to upload.", null);
    const problem = await avatarFileProblem(file);
    if (problem) return fail(problem, null);
    setPending(true);
    try {
      const response = await fetch(form.action, { method: "POST", body: new FormData(form) });
      const answer = (await response.json().catch(() => ({}))) as Answer;
      if (!response.ok) {
        const forField = answer.error?.fieldErrors?.avatar?.[0];
        return fail(forField ?? null, forField ? null : (answer.error?.message ?? INTERNAL_FORM_ERROR));
      }
      setFieldError(null);
      setFormError(null);
      setMessage(answer.message ?? "Got it: we're processing your new image.");
      form.reset();
      router.refresh();
    } catch {
      fail(null, "We couldn't reach the server. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <form ref={formRef} action="/api/account/avatar" method="post" encType="multipart/form-data" noValidate onSubmit={onSubmit} className="flex flex-col gap-3" aria-label="Avatar">
      <FormAlert error={formError ?? undefined} message={message ?? undefined} />
      <Field
        id={AVATAR_FIELD_ID}
        label={hasAvatar ? "New image" : "Image"}
        name="avatar"
        type="file"
        accept={AVATAR_ACCEPT}
        hint="PNG, JPEG, WebP or GIF, up to 5 MB. We resize it in the background."
        errors={fieldError ? [fieldError] : undefined}
        onChange={async (event) => {
          const file = event.currentTarget.files?.[0];
          setMessage(null);
          setFieldError(file ? await avatarFileProblem(file) : null);
        }}
      />
      <div>
        <button
          type="submit"
          disabled={pending}
          className="rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-700 shadow-sm ring-1 ring-slate-300 transition hover:bg-slate-50 disabled:opacity-60"
        >
          {pending ? "Uploading…" : "Upload image"}
        </button>
      </div>
    </form>
  );
}
