import type { ReactNode } from "react";

/**
 * A white panel. Its title is a heading of the given level: an `<h1>` where the card is the page
 * (log in, sign up); inside a page that has its own `<h1>` pass 2 (admin pages use `Panel`).
 */
export function Card({ title, children, footer, level = 1, padded = true }: { title?: string; children: ReactNode; footer?: ReactNode; level?: 1 | 2 | 3; padded?: boolean }) {
  const Heading = (`h${level}` as "h1" | "h2" | "h3");
  return (
    <section className={`min-w-0 rounded-2xl bg-white shadow-sm ring-1 ring-slate-200 ${padded ? "p-4 sm:p-6" : ""}`}>
      {title ? <Heading className={`mb-4 font-semibold text-slate-900 ${level === 1 ? "text-xl" : "text-lg"} ${padded ? "" : "px-4 pt-4 sm:px-6 sm:pt-6"}`}>{title}</Heading> : null}
      {children}
      {footer ? <div className="mt-4 border-t border-slate-100 pt-4 text-sm text-slate-600">{footer}</div> : null}
    </section>
  );
}
