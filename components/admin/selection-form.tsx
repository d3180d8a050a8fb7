"use client";
import { useCallback, useRef, useState, type ReactNode } from "react";

/**
 * The list's rows and one sticky selection bar: select this page, then "select all N matching";
 * the "… selected" actions stay disabled while nothing is selected. Submits to the bulk page,
 * which shows the count before anything is touched.
 */
export function SelectionForm({
  children,
  onPage,
  matching,
  matchingLabel,
  filter,
  canRetry,
  canResolve,
}: {
  children: ReactNode;
  /** Rows on this page. */
  onPage: number;
  /** Rows matching the filter in this tab (all pages). */
  matching: number;
  /** How to say it ("1,234", "10,000+"; empty when not counted). */
  matchingLabel: string;
  /** The filter, as hidden fields for "all matching". */
  filter: [string, string][];
  canRetry: boolean;
  canResolve: boolean;
}) {
  const form = useRef<HTMLFormElement>(null);
  const [selected, setSelected] = useState(0);
  const [allMatching, setAllMatching] = useState(false);

  const boxes = useCallback(() => [...(form.current?.querySelectorAll<HTMLInputElement>('input[type="checkbox"][name="ids"]') ?? [])], []);
  const recount = useCallback(() => setSelected(boxes().filter((b) => b.checked).length), [boxes]);

  const pageSelected = onPage > 0 && selected === onPage;
  const selectPage = (checked: boolean) => {
    for (const box of boxes()) box.checked = checked;
    if (!checked) setAllMatching(false);
    recount();
  };
  const chooseAllMatching = (on: boolean) => {
    setAllMatching(on);
    for (const box of boxes()) {
      box.checked = on || box.checked;
      box.disabled = on; // the filter stands for them: the ids are not sent
    }
    recount();
  };

  const words = (...parts: string[]) => parts.filter(Boolean).join(" ");
  const none = !allMatching && selected === 0;
  return (
    <form
      ref={form}
      method="get"
      action="/admin/dead-letters/bulk"
      aria-label="Selected dead letters"
      onChange={(e) => {
        if ((e.target as unknown as HTMLInputElement).name === "ids") recount();
      }}
    >
      <input type="hidden" name="scope" value={allMatching ? "all" : "selected"} />
      {allMatching ? filter.map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />) : null}
      <div className="sticky top-0 z-10 -mx-4 flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-200 bg-white/95 px-4 py-2 text-sm backdrop-blur sm:mx-0 sm:rounded-t-2xl" data-testid="selection-bar">
        <label className="flex items-center gap-2">
          <input type="checkbox" className="h-6 w-6 accent-indigo-600" checked={pageSelected} disabled={onPage === 0} onChange={(e) => selectPage(e.target.checked)} data-testid="select-page" />
          Select page
        </label>
        <span role="status" aria-live="polite" data-testid="selected-count" className="font-medium">
          {allMatching ? words("All", matchingLabel, "matching selected") : `${selected} selected`}
        </span>
        {pageSelected && !allMatching && matching > onPage ? (
          <button type="button" className="min-h-6 font-medium text-indigo-700 underline-offset-2 hover:underline" onClick={() => chooseAllMatching(true)}>
            {words("Select all", matchingLabel, "matching")}
          </button>
        ) : null}
        {allMatching ? (
          <button type="button" className="min-h-6 font-medium text-indigo-700 underline-offset-2 hover:underline" onClick={() => { chooseAllMatching(false); selectPage(false); }}>
            Clear selection
          </button>
        ) : null}
        <span className="ml-auto flex gap-2">
          {canRetry ? (
            <button type="submit" name="kind" value="retry" disabled={none} className="rounded-lg px-3 py-1.5 font-medium ring-1 ring-slate-300 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50">
              {allMatching ? words("Retry all", matchingLabel, "matching") : "Retry selected"}…
            </button>
          ) : null}
          {canResolve ? (
            <button type="submit" name="kind" value="resolve" disabled={none} className="rounded-lg px-3 py-1.5 font-medium ring-1 ring-slate-300 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50">
              {allMatching ? words("Resolve all", matchingLabel, "matching") : "Resolve selected"}…
            </button>
          ) : null}
        </span>
      </div>
      {children}
    </form>
  );
}
