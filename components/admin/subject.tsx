import Link from "next/link";

export type SubjectView = { subjectUserId: string | null; subjectEmail: string | null; subjectName: string | null; subjectLabel: string | null };

/** Plain text naming who or what a failure is about (tab titles, aria labels). */
export function subjectText(s: SubjectView): string {
  if (s.subjectUserId) {
    const who = s.subjectName && s.subjectEmail ? `${s.subjectName} <${s.subjectEmail}>` : (s.subjectEmail ?? s.subjectName ?? `user ${s.subjectUserId.slice(0, 8)} (deleted)`);
    return s.subjectLabel ? `${who}, ${s.subjectLabel}` : who;
  }
  return s.subjectLabel ?? "no subject recorded";
}

/** The user (name and email, linked to their admin page) or the job's window. */
export function Subject({ subject, compact = false }: { subject: SubjectView; compact?: boolean }) {
  const s = subject;
  if (s.subjectUserId) {
    return (
      <span className="flex min-w-0 flex-col" data-testid="subject">
        <Link href={`/admin/users/${s.subjectUserId}`} prefetch={false} className="truncate font-medium text-indigo-700 hover:underline">
          {s.subjectName ?? (s.subjectEmail ? s.subjectEmail : `user ${s.subjectUserId.slice(0, 8)}`)}
        </Link>
        {s.subjectEmail ? <span className={`truncate text-slate-600 ${compact ? "text-xs" : "text-sm"}`}>{s.subjectEmail}</span> : null}
        {!s.subjectEmail && !s.subjectName ? <span className="text-xs text-slate-600">account deleted</span> : null}
        {s.subjectLabel ? <span className="text-xs text-slate-600">{s.subjectLabel}</span> : null}
      </span>
    );
  }
  return (
    <span className="text-slate-700" data-testid="subject">
      {s.subjectLabel ?? <span className="text-slate-600">—</span>}
    </span>
  );
}
