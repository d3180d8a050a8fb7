// One transaction-level advisory lock per function guards all of its flow-control state (GCRA
// rows, pending debounces, open batches). A transaction takes every lock it needs in one statement,
// ordered by lock id, before touching that state, so two engine processes (or two requests) never
// deadlock and never see a half-updated debounce or batch. Re-taking a held lock is a no-op.
import type { Tx } from "../db";

export async function lockFunctions(tx: Tx, fnIds: string[]): Promise<void> {
  const ids = [...new Set(fnIds)];
  if (!ids.length) return;
  // Volatile functions in the select list are evaluated after the sort: locks go in id order.
  await tx.query(
    `select pg_advisory_xact_lock(h) from (select distinct hashtextextended('flow:' || f, 0) as h from unnest($1::text[]) f) s order by h`,
    [ids],
  );
}
