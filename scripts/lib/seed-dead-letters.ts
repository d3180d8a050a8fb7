// Bulk test data for the dead-letter dashboard: N letters spread over 30 days, several functions
// and error texts, mostly resolved (as in a system that is looked after). One INSERT … SELECT.
import pg from "pg";

export async function seedDeadLetters(databaseUrl: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `insert into dead_letter_jobs (id, function_id, function_name, run_id, last_run_id, event_name, event_id, payload,
         error_name, error_message, attempts, history, first_failed_at, last_failed_at, status, resolved_at, resolved_by,
         resolution_note, updated_at)
       select gen_random_uuid(), f.id, f.name, 'seed-' || g || '-' || md5(random()::text), 'seed-' || g, f.event, null,
         jsonb_build_object('name', f.event, 'data', jsonb_build_object('userId', gen_random_uuid())),
         e.name, e.message || ' (#' || g || ')', 1 + (g % 5), '[]'::jsonb,
         t.at, t.at,
         s.status::"DeadLetterStatus",
         case when s.status = 'RESOLVED' then t.at + interval '1 hour' end,
         case when s.status = 'RESOLVED' then 'seed@example.com' end,
         case when s.status = 'RESOLVED' then 'Seeded' end,
         now()
       from generate_series(1, $1::int) g
       cross join lateral (select (array['signup-app-user.welcome-email','signup-app-user.avatar-process','signup-app-outbox.sweep','signup-app-digest.weekly'])[1 + g % 4] as id,
                                  (array['Send welcome email','Process avatar','Sweep the outbox','Weekly digest'])[1 + g % 4] as name,
                                  (array['user/account.created','user/avatar.uploaded','outbox/sweep.requested','digest/weekly.requested'])[1 + g % 4] as event) f
       cross join lateral (select (array['NonRetriableError','Error','RetryAfterError'])[1 + g % 3] as name,
                                  (array['Email provider answered 422: invalid recipient address',
                                         'Email provider answered 503: service unavailable',
                                         'Unreadable image: Input buffer has corrupt header',
                                         'Could not relay 3 outbox events',
                                         'Email provider answered 429: too many requests'])[1 + g % 5] as message) e
       -- spread over the last 30 days; written in terms of g so PostgreSQL evaluates it per row
       cross join lateral (select now() - ((g * 7919) % 43200) * interval '1 minute' - (g % 60) * interval '1 second' as at) t
       cross join lateral (select case when g % 10 < 7 then 'RESOLVED' when g % 10 < 9 then 'OPEN' else 'RETRYING' end as status) s`,
      [count],
    );
    await client.query("analyze dead_letter_jobs");
  } finally {
    await client.end();
  }
}
