import "server-only";
import { createElement } from "react";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordDelivery } from "@/lib/email/delivery-marker";
import { IdempotencyKeyReusedError, sendEmail } from "@/lib/email/mailer";
import { renderEmailHtml } from "@/lib/email/render";
import { DeadLetterAlertEmail, deadLetterAlertSubject, deadLetterAlertText, type StaleGroup } from "@/lib/email/dead-letter-alert-template";

/** Open this long without anyone acting on it, a dead letter is "stale". */
export const STALE_AFTER_MS = 24 * 3600 * 1000;

export const alertKind = (date: string) => `dead-letter-alert:${date}`;
export const alertIdempotencyKey = (date: string, adminId: string) => `dead-letter-alert/${date}/${adminId}`;

export type StaleSummary = { total: number; groups: StaleGroup[] };

/** Open letters whose last failure is more than 24 h before `now`, grouped by function and error. */
export async function findStaleDeadLetters(now: Date): Promise<StaleSummary> {
  const before = new Date(now.getTime() - STALE_AFTER_MS);
  const rows = await db.$queryRaw<{ function_id: string; function_name: string; error_name: string; error_message: string; count: number; oldest: Date }[]>`
    select function_id, max(function_name) as function_name, error_name, left(error_message, 300) as error_message,
           count(*)::int as count, min(last_failed_at) as oldest
    from dead_letter_jobs
    where status = 'OPEN' and last_failed_at < ${before}
    group by function_id, error_name, left(error_message, 300)
    order by count(*) desc, function_id, error_name
    limit 50`;
  const groups = rows.map((r) => ({
    functionId: r.function_id,
    functionName: r.function_name,
    errorName: r.error_name,
    errorMessage: r.error_message,
    count: r.count,
    oldestFailedAt: r.oldest.toISOString(),
  }));
  const total = await db.deadLetterJob.count({ where: { status: "OPEN", lastFailedAt: { lt: before } } });
  return { total, groups };
}

/** Admins who have not had today's alert yet. */
export async function listAdminsToAlert(date: string): Promise<{ id: string; email: string; name: string }[]> {
  return db.user.findMany({
    where: { role: "ADMIN", emailVerifiedAt: { not: null }, deliveries: { none: { kind: alertKind(date) } } },
    orderBy: { id: "asc" },
    select: { id: true, email: true, name: true },
  });
}

export async function sendDeadLetterAlert(admin: { id: string; email: string; name: string }, date: string, summary: StaleSummary) {
  const props = { name: admin.name, date, total: summary.total, groups: summary.groups, dashboardUrl: `${env.APP_URL}/admin/dead-letters?status=OPEN` };
  const idempotencyKey = alertIdempotencyKey(date, admin.id);
  try {
    return await sendEmail({
      to: admin.email,
      subject: deadLetterAlertSubject(summary.total),
      html: await renderEmailHtml(createElement(DeadLetterAlertEmail, props)),
      text: deadLetterAlertText(props),
      idempotencyKey,
    });
  } catch (error) {
    // An earlier run sent today's alert (with other counts) but could not record it: it is sent.
    if (error instanceof IdempotencyKeyReusedError) return { providerId: `sent-earlier:${idempotencyKey}` };
    throw error;
  }
}

export async function recordAlertDelivery(adminId: string, date: string, providerId: string): Promise<void> {
  await recordDelivery({ userId: adminId, kind: alertKind(date), providerId });
}
