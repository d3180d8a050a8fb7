import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { AutoRefresh } from "@/components/admin/auto-refresh";
import { Panel } from "@/components/admin/panel";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { describeFilter, storedFilterSchema } from "@/lib/dead-letters/filters";
import { getBulkAction } from "@/lib/dead-letters/manage";

export const metadata: Metadata = { title: "Bulk action" };

export default async function BulkProgressPage({ params }: PageProps<"/admin/dead-letters/bulk/[id]">) {
  const { id } = await params;
  await requirePageAccess("ADMIN", `/admin/dead-letters/bulk/${id}`);
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) notFound();
  const bulk = await getBulkAction(parsed.data);
  if (!bulk) notFound();
  const filter = storedFilterSchema.safeParse(bulk.filter);
  const done = bulk.processed + bulk.skipped;
  const percent = bulk.total ? Math.min(100, Math.round((done / bulk.total) * 100)) : 100;
  const running = bulk.status === "QUEUED" || bulk.status === "RUNNING";

  return (
    <div className="mx-auto flex w-full max-w-xl flex-col gap-6">
      <AutoRefresh active={running} ms={1000} />
      <Link href="/admin/dead-letters" prefetch={false} className="text-sm text-indigo-700 hover:underline">
        ← Dead letters
      </Link>
      <h1 className="text-2xl font-bold">Bulk {bulk.kind.toLowerCase()}</h1>
      <Panel>
        <p className="text-sm text-slate-700">
          {filter.success ? describeFilter(filter.data) : "saved filter"} · started by {bulk.createdBy}
        </p>
        <div className="mt-4 h-3 w-full overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuemin={0} aria-valuemax={bulk.total} aria-valuenow={done} aria-label="Progress">
          <div className="h-full bg-indigo-600 transition-all" style={{ width: `${percent}%` }} />
        </div>
        <p className="mt-2 text-sm" data-testid="bulk-progress" data-status={bulk.status}>
          {bulk.status === "DONE"
            ? `Done: ${bulk.processed} ${bulk.kind === "RETRY" ? "retried" : "resolved"}, ${bulk.skipped} skipped of ${bulk.total}.`
            : bulk.status === "FAILED"
              ? `Stopped after ${done} of ${bulk.total}: ${bulk.error ?? "unknown error"}`
              : `${done} of ${bulk.total} processed…`}
        </p>
        {bulk.note ? <p className="mt-2 text-sm italic">“{bulk.note}”</p> : null}
      </Panel>
    </div>
  );
}
