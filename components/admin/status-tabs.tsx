import Link from "next/link";

export type Tab = { key: string; label: string; count: string; href: string; current: boolean };

/** Status tabs with their counts; the current one is marked for assistive tech. */
export function StatusTabs({ tabs, label }: { tabs: Tab[]; label: string }) {
  return (
    <nav aria-label={label} className="-mx-1 overflow-x-auto">
      <ul className="flex min-w-max gap-1 border-b border-slate-200 px-1">
        {tabs.map((tab) => (
          <li key={tab.key}>
            <Link
              href={tab.href}
              prefetch={false}
              aria-current={tab.current ? "page" : undefined}
              data-testid={`tab-${tab.key}`}
              className={`-mb-px inline-flex items-center gap-2 border-b-2 px-3 py-2 text-sm font-medium ${tab.current ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
            >
              {tab.label}
              <span className={`rounded-full px-2 py-0.5 text-xs ${tab.current ? "bg-indigo-100 text-indigo-800" : "bg-slate-100 text-slate-700"}`} data-testid="tab-count">
                {tab.count}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
