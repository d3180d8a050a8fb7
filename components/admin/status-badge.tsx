const styles = {
  OPEN: "bg-red-50 text-red-700 ring-red-200",
  RETRYING: "bg-amber-50 text-amber-800 ring-amber-200",
  RESOLVED: "bg-emerald-50 text-emerald-800 ring-emerald-200",
} as const;

export function StatusBadge({ status }: { status: keyof typeof styles }) {
  return (
    <span data-testid="status" data-status={status} className={`inline-block rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ${styles[status]}`}>
      {status.toLowerCase()}
    </span>
  );
}
