import type { ReactNode } from "react";

/**
 * A wide table's box: it scrolls sideways on a narrow screen instead of the page, and can be
 * focused and scrolled from the keyboard (a named region, so a screen reader says what it is).
 * `relative`: absolutely positioned content (screen-reader-only labels) is then clipped by the box
 * instead of widening the page.
 */
export function ScrollBox({ label, children, className = "" }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} className={`relative overflow-x-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${className}`}>
      {children}
    </div>
  );
}
