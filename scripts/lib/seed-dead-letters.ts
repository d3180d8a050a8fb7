// Bulk test data for the dead-letter dashboard: N letters spread over 30 days, several functions
// and error texts, mostly resolved (as in a system that is looked after). Letters of the user
// functions are about one of `users` seeded members (subject snapshot as the recorder writes it);
// the scheduled jobs' name their run. One INSERT … SELECT with the triggers off (the group key is
// computed in the statement), in failure-time order, then the counters are rebuilt once and the
// table vacuumed — as a restore would do.
import pg from "pg";

export const SEED_USERS = 10_000;

export async function seedDeadLetters(databaseUrl: string, count: number, users = SEED_USERS): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `insert into users (id, email, name, password_hash, role, created_at)
       select md5('seed-user-' || i)::uuid, 'seed-user-' || i || '@example.com', 'Seed Person ' || i, 'x', 'USER', now() - (i % 1000) * interval '1 hour'
       from generate_series(1, $1::int) i
       on conflict do nothing`,
      [users],
    );
    await client.query("set session_replication_role = replica");
    await client.query(
      `insert into dead_letter_jobs (id, function_id, function_name, run_id, last_run_id, event_name, event_id, payload,
         error_name, error_message, error_pattern, group_key, attempts, history, first_failed_at, last_failed_at, status, resolved_at, resolved_by,
         resolution_note, updated_at, subject_user_id, subject_email, subject_name, subject_label)
       select gen_random_uuid(), f.id, f.name, 'seed-' || g || '-' || md5(random()::text), 'seed-' || g, f.event, null,
         jsonb_build_object('name', f.event, 'data', case when f.per_user then jsonb_build_object('userId', u.id) else '{}'::jsonb end),
         e.name, e.message, dead_letter_error_pattern(e.message),
         md5(f.id || E'\\x1f' || e.name || E'\\x1f' || dead_letter_error_pattern(e.message)),
         1 + (g % 5), '[]'::jsonb,
         t.at, t.at,
         s.status::"DeadLetterStatus",
         case when s.status = 'RESOLVED' then t.at + interval '1 hour' end,
         case when s.status = 'RESOLVED' then 'seed@example.com' end,
         case when s.status = 'RESOLVED' then 'Seeded' end,
         now(),
         case when f.per_user then u.id end, case when f.per_user then u.email end, case when f.per_user then u.name end,
         case when f.per_user then null else 'run for ' || to_char(date_trunc('minute', t.at), 'YYYY-MM-DD HH24:MI') || ' UTC' end
       from generate_series(1, $1::int) g
       cross join lateral (select (array['signup-app-user.welcome-email','signup-app-user.avatar-process','signup-app-outbox.sweep','signup-app-digest.weekly'])[1 + g % 4] as id,
                                  (array['Send welcome email','Process avatar','Sweep the outbox','Weekly digest'])[1 + g % 4] as name,
                                  (array['user/account.created','user/avatar.uploaded','outbox/sweep.requested','digest/weekly.requested'])[1 + g % 4] as event,
                                  g % 4 < 2 as per_user) f
       cross join lateral (select md5('seed-user-' || (1 + g % $2::int))::uuid as id, 'seed-user-' || (1 + g % $2::int) || '@example.com' as email,
                                  'Seed Person ' || (1 + g % $2::int) as name) u
       cross join lateral (select (array['NonRetriableError','Error','RetryAfterError'])[1 + g % 3] as name,
                                  (array['Email provider answered 422: ' || u.email || ' was rejected (#' || g || ')',
                                         'Email provider answered 503: service unavailable (#' || g || ')',
                                         'Unreadable image: Input buffer has corrupt header (#' || g || ')',
                                         'Could not relay ' || (1 + g % 7) || ' outbox events (#' || g || ')',
                                         'Email provider answered 429: too many requests (#' || g || ')'])[1 + g % 5] as message) e
       -- spread over the last 30 days; written in terms of g so PostgreSQL evaluates it per row
       -- (bigint: g * 7919 passes 2^31 at a million rows)
       cross join lateral (select now() - ((g::bigint * 7919) % 43200) * interval '1 minute' - (g % 60) * interval '1 second' as at) t
       cross join lateral (select case when g % 10 < 7 then 'RESOLVED' when g % 10 < 9 then 'OPEN' else 'RETRYING' end as status) s
       -- Written oldest first, as a live table is: a letter is inserted (and re-written on each
       -- failure) when it fails, so rows lie in the heap roughly in last_failed_at order and a
       -- time filter ("last 24 h") reads the newest pages, not a few rows from every page.
       order by t.at`,
      [count, users],
    );
    await client.query("set session_replication_role = origin");
    await client.query("select dead_letter_counters_rebuild()");
    // What autovacuum leaves after bulk inserts (and what a restore is followed by): statistics and
    // the visibility map, so counts over an index need not visit the heap.
    await client.query("vacuum (analyze) dead_letter_jobs");
    await client.query("vacuum (analyze) users");
  } finally {
    await client.end();
  }
}

/** Audit entries, as years of admin work would leave them. */
export async function seedAuditLog(databaseUrl: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `insert into audit_logs (id, actor_email, action, target_type, target_id, note, created_at)
       select gen_random_uuid(), 'admin-' || (g % 5) || '@example.com',
              (array['dead_letter.retry','dead_letter.resolve','dead_letter.reopen','user.sessions_revoked','schedule.run_requested'])[1 + g % 5],
              (array['dead_letter','dead_letter','dead_letter','user','schedule'])[1 + g % 5], gen_random_uuid()::text,
              case when g % 5 = 1 then 'Seeded note ' || g end, now() - (g::bigint * 37 % 2592000) * interval '1 second'
       from generate_series(1, $1::int) g`,
      [count],
    );
    // As for the dead letters: what autovacuum would otherwise do in the middle of the measurements.
    await client.query("vacuum (analyze) audit_logs");
  } finally {
    await client.end();
  }
}
