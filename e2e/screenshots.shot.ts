// `npm run screenshots`: the README's pictures of the dashboard, made against the e2e stack with
// realistic data (real failed runs for the timeline, seeded letters for the list's variety).
// Writes docs/screenshots/*.png; run after `npm run build`, like the e2e suite.
import { randomUUID } from "node:crypto";
import { expect, test } from "./fixtures";

const people = [
  ["Maya Lindqvist", "maya.lindqvist"],
  ["Tomás Ortega", "tomas.ortega"],
  ["Aiko Tanaka", "aiko.tanaka"],
  ["Femi Adebayo", "femi.adebayo"],
  ["Grace Hopper", "grace.hopper"],
  ["Lena Fischer", "lena.fischer"],
] as const;

test("dashboard screenshots for the README", async ({ page, context, admin, signIn, db }) => {
  test.setTimeout(180_000);
  // Real runs: a provider outage (503 until it gives up) and a rejected address (422, permanent).
  const outage = `bounce503x9+${randomUUID().slice(0, 6)}@example.com`;
  const rejected = `reject+${randomUUID().slice(0, 6)}@example.com`;
  for (const [email, name] of [[outage, "Nora Okafor"], [rejected, "Sam Reyes"]] as const) {
    expect((await page.request.post("/api/users", { data: { name, email, password: "long enough password" } })).status()).toBe(202);
  }
  // Seeded letters around them, as a week of failures would leave them.
  const functions = [
    ["signup-app-user.welcome-email", "Send welcome email", "user/account.created"],
    ["signup-app-user.avatar-process", "Process avatar", "user/avatar.uploaded"],
    ["signup-app-digest.send", "Send weekly digest", "digest/email.requested"],
  ] as const;
  const errors = [
    ["Error", "Email provider answered 503: Service unavailable. Please try again later."],
    ["NonRetriableError", "Invalid `to` field. The address {email} was rejected."],
    ["NonRetriableError", "Unreadable image: Input buffer has corrupt header"],
    ["RetryAfterError", "Email provider answered 429: too many requests"],
  ] as const;
  for (let i = 0; i < 18; i++) {
    const [name, local] = people[i % people.length]!;
    const email = `${local}@example.com`;
    const user = await db.query<{ id: string }>(
      "insert into users (id, email, name, password_hash) values (gen_random_uuid(), $1, $2, 'x') on conflict (email) do update set name = excluded.name returning id",
      [email, name],
    );
    const [fnId, fnName, event] = functions[i % 3 === 1 ? 1 : i % 3 === 2 ? 2 : 0]!;
    const [errName, message] = fnId.includes("avatar") ? errors[2] : errors[i % 4 === 2 ? 0 : i % 4]!;
    const status = i % 7 === 3 ? "RETRYING" : "OPEN";
    await db.query(
      `insert into dead_letter_jobs (id, function_id, function_name, run_id, last_run_id, event_name, payload, error_name, error_message, attempts,
         first_failed_at, last_failed_at, status, updated_at, subject_user_id, subject_email, subject_name, subject_label)
       values (gen_random_uuid(), $1, $2, $3, $3, $4, $5, $6, $7, $8, now() - $9 * interval '1 minute', now() - $9 * interval '1 minute', $10, now(), $11, $12, $13, $14)`,
      [fnId, fnName, `shot-${randomUUID()}`, event, JSON.stringify({ name: event, data: { userId: user.rows[0]!.id } }), errName, message.replace("{email}", email),
        errName === "Error" ? 5 : 1, 7 + i * 47, status, user.rows[0]!.id, email, name, fnId.includes("digest") ? "week 2026-W48" : null],
    );
  }
  await db.query(
    `insert into dead_letter_jobs (id, function_id, function_name, run_id, last_run_id, event_name, payload, error_name, error_message, attempts,
       first_failed_at, last_failed_at, status, updated_at, subject_label)
     values (gen_random_uuid(), 'signup-app-outbox.sweep', 'Sweep the outbox', $1, $1, 'inngest/scheduled.timer', '{}', 'Error', 'Could not relay 3 outbox events', 4,
       now() - interval '95 minutes', now() - interval '95 minutes', 'OPEN', now(), 'run for ' || to_char(date_trunc('minute', now() - interval '95 minutes'), 'YYYY-MM-DD HH24:MI') || ' UTC')`,
    [`shot-${randomUUID()}`],
  );

  await signIn(context, admin);
  const letterOf = async (email: string) => {
    let id: string | undefined;
    await expect(async () => {
      id = (await db.query<{ id: string }>("select id from dead_letter_jobs where subject_email = $1", [email])).rows[0]?.id;
      expect(id).toBeTruthy();
    }).toPass({ timeout: 90_000 });
    return id!;
  };
  const outageLetter = await letterOf(outage);
  await letterOf(rejected);

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/admin/dead-letters");
  await page.getByTestId("dead-letter-row").nth(1).getByRole("checkbox").check();
  await page.getByTestId("dead-letter-row").nth(2).getByRole("checkbox").check();
  await page.screenshot({ path: "docs/screenshots/dead-letters.png" });

  await page.goto(`/admin/dead-letters/${outageLetter}`);
  await expect(page.getByTestId("waterfall")).toBeVisible();
  await page.screenshot({ path: "docs/screenshots/dead-letter.png", fullPage: true });

  await page.goto("/admin/dead-letters?view=groups");
  await page.screenshot({ path: "docs/screenshots/error-groups.png" });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/admin/dead-letters");
  await page.screenshot({ path: "docs/screenshots/dead-letters-390.png" });

  await db.query("delete from dead_letter_jobs where run_id like 'shot-%' or subject_email = any($1)", [[outage, rejected]]);
  await db.query("delete from users where email = any($1) or email like any($2)", [[outage, rejected], people.map(([, l]) => `${l}@example.com`)]);
});
