import type { ReactNode } from "react";

export function Card({ title, children, footer }: { title?: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <section className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
      {title ? <h1 className="mb-4 text-xl font-semibold text-slate-900">{title}</h1> : null}
      {children}
      {footer ? <div className="mt-4 border-t border-slate-100 pt-4 text-sm text-slate-600">{footer}</div> : null}
    </section>
  );
}
