import { RelativeTime } from "@/components/admin/relative-time";
import type { MailBacklog } from "@/lib/email/pace";


const number = new Intl.NumberFormat("en");

/** One line of the overview's executor panel: emails asked for and not sent yet (red when `stale`: people wait). */
export function MailBacklogLine({ label, backlog, now, stale, testId }: { label: string; backlog: MailBacklog; now: Date; stale: boolean; testId: string }) {
  return (
    <>
      <dt className="text-slate-600">{label}</dt>
      <dd data-testid={testId} className={stale ? "text-red-700" : ""}>
        {backlog.waiting ? `${number.format(backlog.waiting)} not sent yet` : "none waiting"}
        {backlog.retrying ? ` (${number.format(backlog.retrying)} retrying)` : null}
        {backlog.oldest ? (
          <span className="block">
            oldest <RelativeTime date={backlog.oldest} now={now} />
          </span>
        ) : null}
      </dd>
    </>
  );
}
