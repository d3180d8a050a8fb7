import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { E2E } from "./config";
import { expect, test } from "./fixtures";
import { AccountPage } from "./pages/account-page";
import { CheckInboxPage } from "./pages/check-inbox-page";
import { InboxPage } from "./pages/inbox-page";
import { SchedulesPage } from "./pages/schedules-page";
import { SignUpPage } from "./pages/sign-up-page";

const JOBS = ["Purge expired sessions", "Purge resolved dead letters", "Weekly digest", "Stale dead-letter alert", "Sweep the outbox"];
const PURGE = "Purge expired sessions";
const DIGEST = "Weekly digest";
const mail = createMailCatcherClient(`http://127.0.0.1:${E2E.mailPort}`);

test("an admin sees every scheduled job with its time zone and next runs, runs the purge now and sees its result", async ({ page, context, admin, member, signIn, db }) => {
  // Something for the purge to find: a session of the member's that expired yesterday.
  const { rows } = await db.query<{ id: string }>(
    "insert into sessions (id, token_hash, user_id, expires_at) values (gen_random_uuid(), md5(random()::text), $1, now() - interval '1 day') returning id",
    [member.id],
  );
  await signIn(context, admin);
  const schedules = new SchedulesPage(page);
  const response = await schedules.goto();
  expect(response?.status()).toBe(200);
  await expect(schedules.heading).toBeVisible();

  for (const job of JOBS) {
    await expect(schedules.job(job)).toBeVisible();
    await expect(schedules.timeZone(job)).toHaveText("UTC");
    await expect(schedules.nextRuns(job)).toHaveCount(5);
  }
  await expect(schedules.job(PURGE).getByTestId("schedule-cron")).toHaveText("TZ=UTC 0 2 * * *");
  await expect(schedules.job("Weekly digest").getByTestId("schedule-cron")).toHaveText("TZ=UTC 0 8 * * 1");
  await expect(schedules.nextRuns("Weekly digest").first()).toContainText(/^Mon, .* 08:00 UTC/);
  // The viewer's local time, formatted by the browser.
  await expect(schedules.nextRuns(PURGE).first().getByTestId("local-time")).not.toHaveText("…");

  await schedules.runNow(PURGE);
  await expect(schedules.runNowForm(PURGE).getByRole("status")).toContainText(`Started “${PURGE}”.`);
  // No reload: the page follows the run until its result shows.
  await expect(schedules.lastRun(PURGE)).toContainText(`run now by ${admin.email}`, { timeout: 30_000 });
  await expect(schedules.lastRun(PURGE).getByTestId("schedule-last-outcome")).toHaveAttribute("data-outcome", "succeeded", { timeout: 30_000 });
  await expect(schedules.lastRun(PURGE).getByTestId("schedule-last-summary")).toHaveText(/^Purged [1-9]\d* expired sessions?, \d+ rate-limit windows?, \d+ old sign-up records? and \d+ old run records?\.$/);
  const left = await db.query("select 1 from sessions where id = $1", [rows[0]!.id]);
  expect(left.rowCount).toBe(0);

  const audit = await db.query("select 1 from audit_logs where action = 'schedule.run_requested' and actor_id = $1 and target_id = 'maintenance.purge-expired'", [admin.id]);
  expect(audit.rowCount).toBe(1);
});

test("a member gets the 403 page on /admin/schedules", async ({ page, context, member, signIn }) => {
  await signIn(context, member);
  const schedules = new SchedulesPage(page);
  const response = await schedules.goto();
  expect(response?.status()).toBe(403);
  await expect(schedules.forbidden).toContainText("You don't have access to this page");
});

test("the run-now action checks the role itself, not just the page", async ({ page, context, admin, member, signIn, db }) => {
  await signIn(context, admin);
  const schedules = new SchedulesPage(page);
  await schedules.goto();
  await expect(schedules.runNowForm(PURGE)).toBeVisible();
  const runsBefore = async () => (await db.query<{ n: number }>("select count(*)::int as n from scheduled_runs where function_id = 'maintenance.purge-expired'")).rows[0]!.n;
  const before = await runsBefore();

  // The page is loaded; now the same browser posts the action as a member…
  await context.clearCookies();
  await signIn(context, member);
  await schedules.runNow(PURGE);
  await expect(schedules.runNowForm(PURGE).getByRole("alert")).toHaveText("You don't have permission to do that.");

  // …and with a cookie that matches no session.
  await context.clearCookies();
  await context.addCookies([{ name: "session", value: "forged", url: `http://127.0.0.1:${E2E.appPort}` }]);
  await schedules.runNow(PURGE);
  await expect(schedules.runNowForm(PURGE).getByRole("alert")).toHaveText("Please log in to continue.");

  const audit = await db.query("select 1 from audit_logs where action = 'schedule.run_requested' and actor_id = $1", [member.id]);
  expect(audit.rowCount).toBe(0);
  // Nothing was sent, so no run started (the action refused before sending).
  expect(await runsBefore()).toBe(before);
});

test("a member turns the weekly digest off and on from the account page", async ({ page, context, member, signIn, db }) => {
  await signIn(context, member);
  const account = new AccountPage(page);
  await account.goto();
  const optOut = async () => (await db.query<{ digest_opt_out: boolean }>("select digest_opt_out from users where id = $1", [member.id])).rows[0]!.digest_opt_out;

  await page.getByRole("button", { name: "Turn off the weekly digest" }).click();
  await expect(page.getByRole("status")).toHaveText("You won't get the weekly digest any more.");
  await expect(page.getByTestId("digest-state")).toHaveAttribute("data-subscribed", "false");
  expect(await optOut()).toBe(true);

  await page.getByRole("button", { name: "Turn on the weekly digest" }).click();
  await expect(page.getByTestId("digest-state")).toHaveAttribute("data-subscribed", "true");
  expect(await optOut()).toBe(false);
});

test("a broken unsubscribe link answers 400 with a clear page", async ({ page }) => {
  const response = await page.goto("/unsubscribe?token=not-a-real-token");
  expect(response?.status()).toBe(400);
  await expect(page.getByRole("heading", { name: "This unsubscribe link doesn't work" })).toBeVisible();
});

test("the weekly digest goes to verified members only: an account that never used its link gets nothing but that link", async ({ page, context, admin, member, visitor, signIn }) => {
  // Someone signs up and never opens the verification email.
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp(visitor);
  await expect(new CheckInboxPage(page).emailProgress).toHaveAttribute("data-state", "sent");

  await signIn(context, admin);
  const schedules = new SchedulesPage(page);
  await schedules.goto();
  await schedules.runNow(DIGEST);
  await expect(schedules.lastRun(DIGEST).getByTestId("schedule-last-outcome")).toHaveAttribute("data-outcome", "succeeded", { timeout: 30_000 });

  // The verified member gets this week's digest…
  const inbox = new InboxPage(page);
  await inbox.waitFor(member.email, "Your weekly digest");
  // …the unverified account only its verification email, however long the digest run takes.
  await expect.poll(async () => (await mail.messages({ to: member.email })).filter((m) => m.subject.startsWith("Your weekly digest")).length).toBe(1);
  const theirs = await mail.messages({ to: visitor.email });
  expect(theirs.map((m) => m.subject)).toEqual(["Confirm your email for Signup Jobs"]);
});
