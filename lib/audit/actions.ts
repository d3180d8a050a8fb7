// What each audit action code means, in words, and where its target lives. Plain module: pages
// and the filter menu read it. An unknown code (a newer action, or one from another branch) is
// shown as its code, never dropped.

export const AUDIT_ACTIONS: Record<string, string> = {
  "dead_letter.retry": "Retried a dead letter",
  "dead_letter.resolve": "Resolved a dead letter",
  "dead_letter.reopen": "Reopened a dead letter",
  "dead_letter.auto_resolved": "Dead letter resolved by a successful retry",
  "dead_letter.owner_retry": "The person it is about asked to send again",
  "dead_letter.owner_replaced": "The person it is about chose another image",
  "dead_letter.bulk_retry": "Started a bulk retry",
  "dead_letter.bulk_resolve": "Started a bulk resolve",
  "user.sessions_revoked": "Signed a user out everywhere",
  "schedule.run_requested": "Ran a scheduled job now",
};

export function actionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action.replace(/[._]/g, " ");
}

/** The admin page of what an entry touched, when there is one. */
export function targetHref(type: string, id: string | null): string | null {
  if (!id) return null;
  switch (type) {
    case "dead_letter":
      return `/admin/dead-letters/${id}`;
    case "bulk_action":
      return `/admin/dead-letters/bulk/${id}`;
    case "user":
      return `/admin/users/${id}`;
    case "schedule":
      return `/admin/schedules#schedule-${id}`;
    default:
      return null;
  }
}

export const TARGET_NAMES: Record<string, string> = { dead_letter: "dead letter", bulk_action: "bulk action", user: "user", schedule: "schedule" };
