import "server-only";
import { randomUUID } from "node:crypto";
import { createElement } from "react";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordDeadLetter } from "@/lib/dead-letters/record";
import { subjectOf } from "@/lib/dead-letters/subject";
import { DigestEmail, digestSubject, digestText } from "@/lib/email/digest-template";
import { sendBatch, type BatchEmail, type BatchOutcome } from "@/lib/email/mailer";
import { renderEmailHtml } from "@/lib/email/render";
import { digestKind, unsubscribeUrl } from "@/lib/digest/sending";
import { isoWeekStart } from "@/lib/schedules/definitions";

/**
 * The weekly digest in batches (docs/decisions/2026-12-01-digest-batches.md):
 * plan → freeze → send (one provider request per batch) → record.
 * - A member is planned into at most one batch per ISO week (digest_batch_members' primary key),
 *   so a re-planned week (a second run, "Run now") cannot put anyone in two batches.
 * - A batch's recipients are frozen at its first send attempt; every retry sends the same emails
 *   under the same idempotency key (`digest-batch/<week>/<batchId>`), so a provider that already
 *   accepted them answers with the first result instead of sending again.
 * - The markers (`digest:<week>` per member) are written from that result; the listing skips
 *   anyone who has one, the freeze too.
 */

/** Resend's batch endpoint takes at most 100 emails per request. */
export const DIGEST_BATCH_SIZE = 100;
/** Batches planned per step: one step lists and inserts this many members at most. */
const BATCHES_PER_PAGE = 10;
export const DIGEST_PLAN_PAGE = DIGEST_BATCH_SIZE * BATCHES_PER_PAGE;

export const digestBatchEventId = (batchId: string) => `digest-batch-${batchId}`;
export const digestBatchIdempotencyKey = (week: string, batchId: string) => `digest-batch/${week}/${batchId}`;

export type PlannedPage = { batchIds: string[]; members: number; listed: number };

/**
 * Plans one page of this week's digest for the planning run `runId`: up to DIGEST_PLAN_PAGE members
 * who are verified, not opted out, not yet sent this week's digest and not in a batch of this week,
 * in batches of DIGEST_BATCH_SIZE. A retried step (same run, same page) gets its own batches back
 * instead of planning more. `listed` < DIGEST_PLAN_PAGE means nobody is left.
 */
export async function planDigestPage(week: string, runId: string, page: number): Promise<PlannedPage> {
  const existing = await db.digestBatch.findMany({ where: { planRunId: runId, page }, select: { id: true, _count: { select: { members: true } } }, orderBy: { id: "asc" } });
  if (existing.length) {
    const members = existing.reduce((n, b) => n + b._count.members, 0);
    // A page that was planned full may have more after it; an empty one would not have been kept.
    return { batchIds: existing.map((b) => b.id), members, listed: existing.length === BATCHES_PER_PAGE ? DIGEST_PLAN_PAGE : members };
  }
  return db.$transaction(async (tx) => {
    const due = await tx.$queryRaw<{ id: string }[]>`
      select u.id from users u
      where u.email_verified_at is not null and not u.digest_opt_out
        and not exists (select 1 from email_deliveries d where d.user_id = u.id and d.kind = ${digestKind(week)})
        and not exists (select 1 from digest_batch_members m where m.week = ${week} and m.user_id = u.id)
      order by u.id
      limit ${DIGEST_PLAN_PAGE}`;
    const batchIds: string[] = [];
    let members = 0;
    for (let i = 0; i < due.length; i += DIGEST_BATCH_SIZE) {
      const ids = due.slice(i, i + DIGEST_BATCH_SIZE).map((u) => u.id);
      const batch = await tx.digestBatch.create({ data: { week, planRunId: runId, page }, select: { id: true } });
      // A member planned meanwhile by another run stays in that run's batch.
      const inserted = await tx.$executeRaw`
        insert into digest_batch_members (week, user_id, batch_id)
        select ${week}, unnest(${ids}::uuid[]), ${batch.id}::uuid
        on conflict do nothing`;
      if (inserted === 0) {
        await tx.digestBatch.delete({ where: { id: batch.id } });
        continue;
      }
      batchIds.push(batch.id);
      members += inserted;
    }
    return { batchIds, members, listed: due.length };
    // Twenty statements for a full page: on a loaded machine more than Prisma's default 5 s.
  }, { maxWait: 10_000, timeout: 60_000 });
}

type Recipient = { userId: string; email: string; name: string };

/**
 * Fixes the batch's recipients at its first send attempt: its members still due (verified, not
 * opted out, no marker). Later calls return what was fixed, so a retry — of the step, the run, or
 * a dead letter's — sends exactly the same emails under the same key.
 */
export async function freezeDigestBatch(batchId: string): Promise<{ week: string; recipients: number }> {
  const batch = await db.digestBatch.findUnique({ where: { id: batchId }, select: { week: true, recipients: true } });
  if (!batch) return { week: "", recipients: 0 };
  if (batch.recipients !== null) return { week: batch.week, recipients: (batch.recipients as Recipient[]).length };
  const { week } = batch;
  const due = await db.$queryRaw<Recipient[]>`
    select u.id as "userId", u.email, u.name
    from digest_batch_members m join users u on u.id = m.user_id
    where m.batch_id = ${batchId}::uuid
      and u.email_verified_at is not null and not u.digest_opt_out
      and not exists (select 1 from email_deliveries d where d.user_id = u.id and d.kind = ${digestKind(week)})
    order by u.id`;
  // Last week's new members: fixed by the week, as in the one-member digest.
  const start = isoWeekStart(week);
  const newMembers = await db.user.count({ where: { emailVerifiedAt: { not: null }, createdAt: { gte: new Date(start.getTime() - 7 * 86_400_000), lt: start } } });
  await db.$executeRaw`
    update digest_batches set recipients = ${JSON.stringify(due)}::jsonb, new_members = ${newMembers}, frozen_at = now()
    where id = ${batchId}::uuid and recipients is null`;
  const frozen = await db.digestBatch.findUniqueOrThrow({ where: { id: batchId }, select: { recipients: true } });
  return { week, recipients: (frozen.recipients as Recipient[]).length };
}

/** React's escaping of text and attribute values (react-dom's escapeTextForBrowser). */
const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!);

/**
 * The week's digest HTML for any member: rendered once per batch with placeholders for the two
 * things that differ (name and unsubscribe link), then filled in escaped as React escapes them —
 * the same markup as a render per member, at a hundredth of the CPU (measured ~10 ms per render on
 * the loaded bench machine: a whole second of the app's event loop per batch).
 */
export async function digestRenderer(week: string, newMembers: number): Promise<(name: string, unsubscribeLink: string) => string> {
  const nameSlot = `DIGESTNAME${randomUUID().replaceAll("-", "")}`;
  const linkSlot = `DIGESTLINK${randomUUID().replaceAll("-", "")}`;
  const html = await renderEmailHtml(createElement(DigestEmail, { name: nameSlot, week, newMembers, appUrl: env.APP_URL, unsubscribeUrl: linkSlot }));
  return (name, link) => html.replaceAll(nameSlot, () => escapeHtml(name)).replaceAll(linkSlot, () => escapeHtml(link));
}

export type BatchSendResult =
  | { status: "deferred"; retryInMs: number }
  | { status: "sent"; sent: { userId: string; providerId: string }[]; rejected: { userId: string; email: string; error: string }[] };

/** Renders the frozen batch and sends it in one provider request (bulk lane of the pacer). */
export async function sendDigestBatch(batchId: string, options: { maxWaitMs: number }): Promise<BatchSendResult> {
  const batch = await db.digestBatch.findUniqueOrThrow({ where: { id: batchId }, select: { week: true, recipients: true, newMembers: true } });
  const recipients = (batch.recipients ?? []) as Recipient[];
  const { week } = batch;
  const render = await digestRenderer(week, batch.newMembers ?? 0);
  const emails: BatchEmail[] = recipients.map((r) => {
    const link = unsubscribeUrl(r.userId, week);
    const props = { name: r.name, week, newMembers: batch.newMembers ?? 0, appUrl: env.APP_URL, unsubscribeUrl: link };
    return {
      to: r.email,
      subject: digestSubject(week),
      html: render(r.name, link),
      text: digestText(props),
      headers: { "List-Unsubscribe": `<${link}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    };
  });
  const outcome: BatchOutcome = await sendBatch(emails, digestBatchIdempotencyKey(week, batchId), options);
  if (outcome.status === "deferred") return outcome;
  const sent: { userId: string; providerId: string }[] = [];
  const rejected: { userId: string; email: string; error: string }[] = [];
  for (const result of outcome.results) {
    const r = recipients[result.index]!;
    if ("providerId" in result) sent.push({ userId: r.userId, providerId: result.providerId });
    else rejected.push({ userId: r.userId, email: r.email, error: result.error });
  }
  return { status: "sent", sent, rejected };
}

/**
 * The batch's result, recorded: a `digest:<week>` marker per member sent (a member deleted since is
 * skipped; a marker already there is kept), one dead letter per refused recipient (its Retry sends
 * that member's digest alone, `digest/email.requested`), and the batch marked sent.
 */
export async function recordDigestBatch(
  batchId: string,
  week: string,
  run: { functionId: string; functionName: string; runId: string; eventName: string },
  result: { sent: { userId: string; providerId: string }[]; rejected: { userId: string; email: string; error: string }[] },
): Promise<{ recorded: number; deadLetters: number }> {
  const recorded = await db.$executeRaw`
    insert into email_deliveries (id, user_id, kind, provider_id, sent_at)
    select gen_random_uuid(), s.user_id, ${digestKind(week)}, s.provider_id, now()
    from unnest(${result.sent.map((s) => s.userId)}::uuid[], ${result.sent.map((s) => s.providerId)}::text[]) as s(user_id, provider_id)
    join users u on u.id = s.user_id
    on conflict (user_id, kind) do nothing`;
  for (const bad of result.rejected) {
    const event = { name: run.eventName, data: { userId: bad.userId, week } };
    await recordDeadLetter({
      functionId: run.functionId,
      functionName: run.functionName,
      // One letter per refused member of this run (a repeated record finds it).
      runId: `${run.runId}/${bad.userId}`,
      event,
      error: { name: "InvalidRecipient", message: `The provider refused ${bad.email} in digest batch ${batchId}: ${bad.error}` },
      attempts: 1,
      failedAt: new Date(),
      subject: await subjectOf(event),
    });
  }
  await db.digestBatch.update({ where: { id: batchId }, data: { sentAt: new Date() } });
  return { recorded, deadLetters: result.rejected.length };
}
