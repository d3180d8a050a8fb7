-- Dead letters name their subject and fall into error groups (docs/decisions/2026-12-01-dashboard.md).
--
-- 1. Subject: who (or which job window) a failure is about, captured when the letter is recorded
--    (a snapshot: the name and email as they were, kept if the account goes).
-- 2. Error group: function + error name + the message with its variable parts (emails, uuids, ids,
--    numbers) replaced. Computed by the database (one definition for new rows and the backfill).
-- 3. Counters maintained by statement-level triggers, so tabs, groups and the overview read a few
--    small rows instead of counting a million: per group and status, per group the users affected,
--    per day the failures recorded.

ALTER TABLE "dead_letter_jobs"
  ADD COLUMN "subject_user_id" UUID,
  ADD COLUMN "subject_email" TEXT,
  ADD COLUMN "subject_name" TEXT,
  ADD COLUMN "subject_label" TEXT,
  ADD COLUMN "error_pattern" TEXT NOT NULL DEFAULT '',
  ADD COLUMN "group_key" TEXT NOT NULL DEFAULT '';

-- The message as a pattern: what varies between two failures of one cause is replaced.
CREATE FUNCTION dead_letter_error_pattern(message text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  select left(btrim(regexp_replace(replace(
    regexp_replace(
      -- an HTTP-like status (100–599 after "answered", "status", "HTTP", "code"…) is kept (marked
      -- first): 422 and 503 are different causes; any other number varies
      regexp_replace(
        regexp_replace(
          regexp_replace(
            regexp_replace(
              regexp_replace(coalesce(message, ''),
                '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '<email>', 'g'),
              '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '<uuid>', 'g'),
            '\m[0-9A-HJKMNP-TV-Z]{26}\M', '<id>', 'g'),
          '\m(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{12,}\M', '<id>', 'g'),
        '((answered|status|http|code|error|returned|with)[ :=]+)([1-5][0-9][0-9])\M', '\1' || chr(1) || '\3', 'gi'),
      '(?<![' || chr(1) || '0-9])[0-9]+(\.[0-9]+)?', '<n>', 'g'),
    chr(1), ''),
    '\s+', ' ', 'g')), 500)
$$;

CREATE FUNCTION dead_letter_jobs_group_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.error_pattern := dead_letter_error_pattern(NEW.error_message);
  NEW.group_key := md5(NEW.function_id || E'\x1f' || NEW.error_name || E'\x1f' || NEW.error_pattern);
  RETURN NEW;
END $$;

CREATE TRIGGER dead_letter_jobs_group_key
  BEFORE INSERT OR UPDATE OF function_id, error_name, error_message ON "dead_letter_jobs"
  FOR EACH ROW EXECUTE FUNCTION dead_letter_jobs_group_key();

-- Per group: what it is, when it was seen, and how many letters it holds in each status.
CREATE TABLE "dead_letter_groups" (
  "group_key" TEXT NOT NULL PRIMARY KEY,
  "function_id" TEXT NOT NULL,
  "function_name" TEXT NOT NULL,
  "error_name" TEXT NOT NULL,
  "error_pattern" TEXT NOT NULL,
  "sample_message" TEXT NOT NULL,
  "first_seen" TIMESTAMP(3) NOT NULL,
  "last_seen" TIMESTAMP(3) NOT NULL,
  "open_count" INTEGER NOT NULL DEFAULT 0,
  "retrying_count" INTEGER NOT NULL DEFAULT 0,
  "resolved_count" INTEGER NOT NULL DEFAULT 0,
  "users_count" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "dead_letter_groups_function_id_idx" ON "dead_letter_groups"("function_id");

-- Letters per (group, user): a user counts as affected while they have one.
CREATE TABLE "dead_letter_group_users" (
  "group_key" TEXT NOT NULL,
  "user_id" UUID NOT NULL,
  "letters" INTEGER NOT NULL,
  PRIMARY KEY ("group_key", "user_id")
);

-- Failures recorded per UTC day (a first failure or a retry that failed again): the overview chart.
CREATE TABLE "dead_letter_daily" (
  "day" DATE NOT NULL PRIMARY KEY,
  "failures" INTEGER NOT NULL DEFAULT 0
);

CREATE TYPE dead_letter_delta AS (
  group_key text, function_id text, function_name text, error_name text, error_pattern text,
  error_message text, status "DeadLetterStatus", user_id uuid, first_failed_at timestamp(3),
  last_failed_at timestamp(3), sign int
);

-- Applies row changes (+1 for a row as it is now, -1 for a row as it was) to the counters.
-- Rows are taken in key order so that two transactions lock counter rows in the same order.
CREATE FUNCTION dead_letter_counters_apply(deltas dead_letter_delta[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dead_letter_groups AS g (group_key, function_id, function_name, error_name, error_pattern, sample_message,
      first_seen, last_seen, open_count, retrying_count, resolved_count)
  SELECT d.group_key, max(d.function_id), max(d.function_name), max(d.error_name), max(d.error_pattern),
         coalesce(max(d.error_message) FILTER (WHERE d.sign > 0), max(d.error_message)),
         coalesce(min(d.first_failed_at) FILTER (WHERE d.sign > 0), min(d.first_failed_at)),
         coalesce(max(d.last_failed_at) FILTER (WHERE d.sign > 0), max(d.last_failed_at)),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'OPEN'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'RETRYING'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'RESOLVED'), 0)
  FROM unnest(deltas) d
  GROUP BY d.group_key
  ORDER BY d.group_key
  ON CONFLICT (group_key) DO UPDATE SET
    function_name = excluded.function_name,
    sample_message = excluded.sample_message,
    first_seen = least(g.first_seen, excluded.first_seen),
    last_seen = greatest(g.last_seen, excluded.last_seen),
    open_count = g.open_count + excluded.open_count,
    retrying_count = g.retrying_count + excluded.retrying_count,
    resolved_count = g.resolved_count + excluded.resolved_count;

  WITH changed AS (
    INSERT INTO dead_letter_group_users AS u (group_key, user_id, letters)
    SELECT d.group_key, d.user_id, sum(d.sign)
    FROM unnest(deltas) d
    WHERE d.user_id IS NOT NULL
    GROUP BY d.group_key, d.user_id
    HAVING sum(d.sign) <> 0
    ORDER BY d.group_key, d.user_id
    ON CONFLICT (group_key, user_id) DO UPDATE SET letters = u.letters + excluded.letters
    RETURNING u.group_key, u.letters, (xmax = 0) AS inserted
  ), per_group AS (
    SELECT group_key, sum(CASE WHEN inserted AND letters > 0 THEN 1 WHEN NOT inserted AND letters <= 0 THEN -1 ELSE 0 END) AS delta
    FROM changed GROUP BY group_key
  )
  UPDATE dead_letter_groups g SET users_count = g.users_count + p.delta
  FROM per_group p WHERE g.group_key = p.group_key AND p.delta <> 0;

  DELETE FROM dead_letter_group_users u
  USING (SELECT DISTINCT d.group_key, d.user_id FROM unnest(deltas) d WHERE d.user_id IS NOT NULL) d
  WHERE u.group_key = d.group_key AND u.user_id = d.user_id AND u.letters <= 0;

  -- A group whose last letter went (retention, a retry that failed differently) goes too.
  DELETE FROM dead_letter_groups g
  USING (SELECT DISTINCT d.group_key FROM unnest(deltas) d WHERE d.sign < 0) d
  WHERE g.group_key = d.group_key AND g.open_count + g.retrying_count + g.resolved_count <= 0;
END $$;

CREATE FUNCTION dead_letter_jobs_counters() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM dead_letter_counters_apply(array(
      SELECT row(n.group_key, n.function_id, n.function_name, n.error_name, n.error_pattern, n.error_message, n.status,
                 n.subject_user_id, n.first_failed_at, n.last_failed_at, 1)::dead_letter_delta FROM new_rows n));
    INSERT INTO dead_letter_daily AS c (day, failures)
    SELECT n.last_failed_at::date, count(*) FROM new_rows n GROUP BY 1 ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET failures = c.failures + excluded.failures;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM dead_letter_counters_apply(array(
      SELECT row(o.group_key, o.function_id, o.function_name, o.error_name, o.error_pattern, o.error_message, o.status,
                 o.subject_user_id, o.first_failed_at, o.last_failed_at, -1)::dead_letter_delta FROM old_rows o));
  ELSE
    PERFORM dead_letter_counters_apply(array(
      SELECT row(x.group_key, x.function_id, x.function_name, x.error_name, x.error_pattern, x.error_message, x.status,
                 x.subject_user_id, x.first_failed_at, x.last_failed_at, x.sign)::dead_letter_delta
      FROM (
        SELECT n.*, 1 AS sign FROM new_rows n JOIN old_rows o USING (id)
        WHERE (n.group_key, n.status, n.subject_user_id, n.last_failed_at) IS DISTINCT FROM (o.group_key, o.status, o.subject_user_id, o.last_failed_at)
        UNION ALL
        SELECT o.*, -1 AS sign FROM old_rows o JOIN new_rows n USING (id)
        WHERE (n.group_key, n.status, n.subject_user_id, n.last_failed_at) IS DISTINCT FROM (o.group_key, o.status, o.subject_user_id, o.last_failed_at)
      ) x));
    INSERT INTO dead_letter_daily AS c (day, failures)
    SELECT n.last_failed_at::date, count(*) FROM new_rows n JOIN old_rows o USING (id)
    WHERE n.last_failed_at > o.last_failed_at GROUP BY 1 ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET failures = c.failures + excluded.failures;
  END IF;
  RETURN NULL;
END $$;



-- Recomputes every counter from the rows: the backfill below, and bulk loads that skip the
-- triggers (the bench's seed).
CREATE FUNCTION dead_letter_counters_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE dead_letter_jobs IN SHARE MODE;
  DELETE FROM dead_letter_group_users;
  DELETE FROM dead_letter_groups;
  DELETE FROM dead_letter_daily;
  INSERT INTO dead_letter_groups (group_key, function_id, function_name, error_name, error_pattern, sample_message,
      first_seen, last_seen, open_count, retrying_count, resolved_count, users_count)
  SELECT group_key, max(function_id), max(function_name), max(error_name), max(error_pattern), max(error_message),
         min(first_failed_at), max(last_failed_at),
         count(*) FILTER (WHERE status = 'OPEN'), count(*) FILTER (WHERE status = 'RETRYING'),
         count(*) FILTER (WHERE status = 'RESOLVED'), count(DISTINCT subject_user_id)
  FROM dead_letter_jobs GROUP BY group_key;
  INSERT INTO dead_letter_group_users (group_key, user_id, letters)
  SELECT group_key, subject_user_id, count(*) FROM dead_letter_jobs WHERE subject_user_id IS NOT NULL GROUP BY 1, 2;
  INSERT INTO dead_letter_daily (day, failures)
  SELECT last_failed_at::date, count(*) FROM dead_letter_jobs GROUP BY 1;
END $$;

-- Backfill: the subject from the payload (the user as they are now), the group from the message.
UPDATE "dead_letter_jobs" d SET
  "subject_user_id" = (d."payload"->'data'->>'userId')::uuid
WHERE d."payload"->'data'->>'userId' ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
UPDATE "dead_letter_jobs" d SET "subject_email" = u."email", "subject_name" = u."name"
FROM "users" u WHERE u."id" = d."subject_user_id";
UPDATE "dead_letter_jobs" d SET "subject_label" = 'week ' || (d."payload"->'data'->>'week')
WHERE d."payload"->'data'->>'week' IS NOT NULL;
UPDATE "dead_letter_jobs" d SET "subject_label" = 'run for ' || to_char(to_timestamp((d."payload"->>'ts')::bigint / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC'
WHERE d."subject_user_id" IS NULL AND d."subject_label" IS NULL AND d."payload"->>'ts' ~ '^[0-9]+$';
UPDATE "dead_letter_jobs" SET "error_message" = "error_message";
SELECT dead_letter_counters_rebuild();

-- From here on the counters follow every change.
CREATE TRIGGER dead_letter_jobs_counters_insert AFTER INSERT ON "dead_letter_jobs"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dead_letter_jobs_counters();
CREATE TRIGGER dead_letter_jobs_counters_update AFTER UPDATE ON "dead_letter_jobs"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dead_letter_jobs_counters();
CREATE TRIGGER dead_letter_jobs_counters_delete AFTER DELETE ON "dead_letter_jobs"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dead_letter_jobs_counters();

-- A user's letters (the users page links to them), and one error group's letters in a tab.
CREATE INDEX "dead_letter_jobs_subject_user_id_status_idx" ON "dead_letter_jobs"("subject_user_id", "status", "last_failed_at" DESC, "id" DESC);
CREATE INDEX "dead_letter_jobs_group_key_status_idx" ON "dead_letter_jobs"("group_key", "status", "last_failed_at" DESC, "id" DESC);

-- The admin users page searches by email or name.
CREATE INDEX "users_email_trgm_idx" ON "users" USING GIN ("email" gin_trgm_ops);
CREATE INDEX "users_name_trgm_idx" ON "users" USING GIN ("name" gin_trgm_ops);
CREATE INDEX "users_created_at_id_idx" ON "users"("created_at" DESC, "id" DESC);

-- Audit log filters: by who and by what, newest first.
CREATE INDEX "audit_logs_actor_email_created_at_id_idx" ON "audit_logs"("actor_email", "created_at" DESC, "id" DESC);
CREATE INDEX "audit_logs_action_created_at_id_idx" ON "audit_logs"("action", "created_at" DESC, "id" DESC);
