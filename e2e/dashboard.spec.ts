// Issue 15: the operator's dashboard — who each failure is about, error groups, status tabs, the
// selection bar, the waterfall, the confirmation before retrying a permanent failure, live updates
// without a refresh storm, the users page and the audit log's filters.
import { randomUUID } from "node:crypto";
import { expect, test, type Account } from "./fixtures";
import { DeadLetterPage, DeadLettersPage } from "./pages/dead-letters-page";
import { AdminPage } from "./pages/admin-page";
import { UsersPage } from "./pages/users-page";

/** Signs someone up through the API; the mail catcher decides by the address how sending fails. */
async function signUp(request: import("@playwright/test").APIRequestContext, localPart: string, name: string) {
  const email = `${localPart}+${randomUUID().slice(0, 8)}@example.com`;
  const response = await request.post("/api/users", { data: { name, email, password: "long enough password" } });
  expect(response.status()).toBe(202);
  return email;
}

/** The list filtered to the person's failures, reloaded until their letter is there; opens it. */
async function openLetterFor(page: import("@playwright/test").Page, db: import("pg").Pool, email: string, timeout = 30_000) {
  const list = new DeadLettersPage(page);
  const { rows } = await db.query<{ id: string }>("select id from users where email = $1", [email]);
  await expect(async () => {
    await list.goto(`userId=${rows[0]!.id}`);
    await expect(list.row(email)).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout });
  await list.row(email).getByRole("link", { name: /Verify email/ }).click();
  await page.waitForURL(/\/admin\/dead-letters\/[0-9a-f-]{36}$/);
  return new DeadLetterPage(page);
}

test.afterEach(async ({ db }) => {
  await db.query("delete from users where email like 'reject+%@example.com' or email like 'bounce503x9+%@example.com'");
});

test("every failure names who it is about: in the row, the page title and the tab title", async ({ page, context, admin, signIn, db }) => {
  const email = await signUp(page.request, "reject", "Rita Rejected");
  await signIn(context, admin);
  const list = new DeadLettersPage(page);
  await expect(async () => {
    await list.goto(`q=${encodeURIComponent(email)}`);
    await expect(list.row(email)).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  const row = list.row(email);
  await expect(row.getByTestId("subject")).toContainText("Rita Rejected");
  await expect(row.getByTestId("subject")).toContainText(email);
  await expect(row.getByRole("link", { name: "Rita Rejected" })).toHaveAttribute("href", /\/admin\/users\/[0-9a-f-]{36}$/);
  // Relative time, with the exact UTC time on hover.
  await expect(row.locator("time")).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

  const letter = await openLetterFor(page, db, email);
  await expect(letter.title).toContainText("Verify email");
  await expect(letter.title).toContainText("Rita Rejected");
  await expect(page).toHaveTitle(new RegExp(`Verify email · Rita Rejected <${email.replace(/[+.]/g, "\\$&")}>`));
});

test("a scheduled job's failure names the job's window", async ({ page, context, admin, signIn, letters }) => {
  await letters.seed([{ message: "Could not relay 3 outbox events", label: "run for 2026-11-30 02:00 UTC" }]);
  await signIn(context, admin);
  const list = new DeadLettersPage(page);
  await list.goto(`functionId=${letters.functionId}`);
  await expect(list.rows.first().getByTestId("subject")).toHaveText("run for 2026-11-30 02:00 UTC");
  await list.rows.first().getByRole("link", { name: letters.functionName }).click();
  await expect(page).toHaveTitle(new RegExp(`${letters.functionName} · run for 2026-11-30 02:00 UTC`));
});

test("status tabs count each status, open is the default, and the total is shown", async ({ page, context, admin, signIn, letters }) => {
  await letters.seed([
    { message: "boom 1" },
    { message: "boom 2" },
    { message: "boom 3", status: "RETRYING" },
    { message: "boom 4", status: "RESOLVED", resolutionNote: "A very long note explaining at length what support did about it. ".repeat(5) },
  ]);
  await signIn(context, admin);
  const list = new DeadLettersPage(page);
  await list.goto(`functionId=${letters.functionId}`);
  await expect(list.tab("Open")).toHaveAttribute("aria-current", "page");
  await expect(list.tabCount("Open")).toHaveText("2");
  await expect(list.tabCount("Retrying")).toHaveText("1");
  await expect(list.tabCount("Resolved")).toHaveText("1");
  await expect(list.tabCount("All")).toHaveText("4");
  await expect(page.getByTestId("total-count")).toContainText("4 in total");
  await expect(list.rows).toHaveCount(2);

  await list.tab("Resolved").click();
  await expect(list.tab("Resolved")).toHaveAttribute("aria-current", "page");
  await expect(list.rows).toHaveCount(1);
  // A long note does not squeeze the function column: it is cut to one line, whole on hover.
  const functionCell = list.rows.first().getByRole("link", { name: letters.functionName });
  expect((await functionCell.boundingBox())!.height).toBeLessThan(30);
  // With text the counters cannot answer, the tabs count rows.
  await list.goto(`functionId=${letters.functionId}&q=boom&status=ALL`);
  await expect(list.tabCount("All")).toHaveText("4");
  await expect(list.rows).toHaveCount(4);
});

test("the selection bar: actions disabled until something is selected, select page, then all matching", async ({ page, context, admin, signIn, letters }) => {
  await letters.seed(Array.from({ length: 53 }, (_, i) => ({ message: `Provider answered 503 (#${i})`, ago: i + 1 })));
  await signIn(context, admin);
  const list = new DeadLettersPage(page);
  await list.goto(`functionId=${letters.functionId}`);
  await expect(list.rows).toHaveCount(50);
  await expect(list.retrySelected()).toBeDisabled();
  await expect(list.resolveSelected()).toBeDisabled();
  await expect(list.selectedCount).toHaveText("0 selected");

  await list.rows.nth(1).getByRole("checkbox").check();
  await expect(list.selectedCount).toHaveText("1 selected");
  await expect(list.retrySelected()).toBeEnabled();
  await list.retrySelected().click();
  await expect(page.getByTestId("bulk-count")).toContainText("This will retry 1 dead letter");
  await page.goBack();

  await list.goto(`functionId=${letters.functionId}`);
  await list.selectPage.check();
  await expect(list.selectedCount).toHaveText("50 selected");
  await page.getByRole("button", { name: "Select all 53 matching" }).click();
  await expect(list.selectedCount).toHaveText("All 53 matching selected");
  await list.resolveSelected().click();
  await expect(page.getByTestId("bulk-count")).toContainText("This will resolve 53 dead letters");

  // The server side too: "selected" with nothing ticked is nothing, never everything.
  await page.goto(`/admin/dead-letters/bulk?kind=retry&scope=selected&functionId=${letters.functionId}`);
  await expect(page.getByTestId("bulk-count")).toHaveText(/Nothing is selected/);
});

test("errors are grouped by function and fingerprint, with counts, users, and group actions", async ({ page, context, admin, member, signIn, letters }) => {
  const other = { id: randomUUID(), name: "Otto Other", email: `otto-${randomUUID().slice(0, 6)}@example.com` };
  await letters.seed([
    { message: `Email provider answered 422: ${member.email} was rejected (#1)`, errorName: "NonRetriableError", user: member },
    { message: `Email provider answered 422: ${other.email} was rejected (#2)`, errorName: "NonRetriableError", user: other },
    { message: `Email provider answered 422: ${other.email} was rejected (#3)`, errorName: "NonRetriableError", user: other, ago: 60 },
    { message: "Email provider answered 503: service unavailable", user: member },
  ]);
  await signIn(context, admin);
  const list = new DeadLettersPage(page);
  await list.goto(`functionId=${letters.functionId}&view=groups`);
  await expect(list.groups).toHaveCount(2);
  const rejected = list.groups.filter({ hasText: "Email provider answered 422: <email> was rejected (#<n>)" });
  await expect(rejected.getByTestId("group-count")).toHaveText("3");
  await expect(rejected.getByTestId("group-users")).toHaveText("2");
  await expect(rejected.locator("time")).toHaveCount(2);

  await rejected.getByRole("link", { name: "Retry group…" }).click();
  await expect(page.getByTestId("bulk-count")).toContainText("This will retry 3 dead letters");
  await expect(page.getByTestId("bulk-count")).toContainText("error group");
  await page.goBack();
  await rejected.getByRole("link", { name: /was rejected/ }).click();
  await expect(list.rows).toHaveCount(3);
  await expect(page.getByTestId("scope-note")).toContainText("In the error group");
});

test("the timeline is a waterfall: durations, waits, collapsed repeats, no executor codes", async ({ page, context, admin, signIn, db }) => {
  test.slow(); // five real attempts with the e2e stack's backoff (0.75 s, 1.5 s, 3 s, 6 s)
  const email = await signUp(page.request, "bounce503x9", "Wanda Waterfall");
  await signIn(context, admin);
  const letter = await openLetterFor(page, db, email, 90_000);
  await expect(letter.waterfall).toContainText(/7 attempts over \d+ s/); // load-account and issue-link once, send-verification five times
  const send = page.getByTestId("attempt").filter({ hasText: "send" });
  await expect(send).toContainText("failed 5× with the same error, then gave up");
  await expect(send.getByTestId("attempt-bar")).toHaveCount(5);
  await expect(send.getByTestId("attempt-bar").nth(1)).toHaveText(/^waited [\d.]+ m?s → attempt 2: [\d.]+ m?s$/);
  await expect(page.getByTestId("attempt").filter({ hasText: "load-account" })).toContainText("succeeded");
  const timeline = await page.getByTestId("attempt-timeline").innerText();
  expect(timeline).not.toMatch(/\(\d{3}\)|\b206\b|step · attempt/);
  // Not permanent: Retry acts at once, no confirmation.
  await expect(letter.retry).toHaveText("Retry");
});

test("a run the executor cannot give: the page says 'Timeline unavailable (reason)' and the attempts are 'unknown', never a guess", async ({ page, context, admin, signIn, letters }) => {
  // Recorded while the executor's read failed (attempts unknown), for a run the executor has no record of.
  await letters.seed([{ message: "Provider answered 503 while the executor was away", attempts: null }]);
  await signIn(context, admin);
  const list = new DeadLettersPage(page);
  await list.goto(`functionId=${letters.functionId}`);
  const row = list.row("while the executor was away");
  await expect(row.getByRole("cell").nth(4)).toHaveText("unknown");
  await row.getByRole("link", { name: letters.functionName }).click();
  await page.waitForURL(/\/admin\/dead-letters\/[0-9a-f-]{36}$/);
  const letter = new DeadLetterPage(page);
  await expect(letter.timelineUnavailable).toHaveText("Timeline unavailable (the executor has no record of this run (404))");
  await expect(letter.waterfall).toHaveCount(0);
  await expect(letter.attempts).toHaveText("unknown");
  await expect(page.getByText(/unknown attempts/).first()).toBeVisible();
  await expect(page.getByTestId("attempt-timeline")).not.toContainText(/\b1 attempt\b/);
});

test("retrying a permanent failure asks first and says why; when it fails again the page says so", async ({ page, context, admin, signIn, db }) => {
  const email = await signUp(page.request, "reject", "Pat Permanent");
  await signIn(context, admin);
  const letter = await openLetterFor(page, db, email);
  await expect(letter.retry).toHaveText("Retry…");
  await letter.retry.click();
  await expect(letter.permanentConfirm).toContainText("Retry a permanent failure?");
  await expect(letter.permanentConfirm).toContainText("NonRetriableError");
  await expect(letter.permanentConfirm).toContainText("expected to fail the same way");
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await letter.retryAnyway.click();
  // The address is still refused: the retry fails again, and the page follows it without a reload.
  await expect(letter.retryFailed).toContainText("The retry failed again", { timeout: 30_000 });
  await expect(letter.retryFailed).toContainText("was rejected");
  await expect(letter.status).toHaveAttribute("data-status", "OPEN");
  const id = page.url().split("/").at(-1)!;
  expect((await db.query("select retry_count from dead_letter_jobs where id = $1", [id])).rows[0].retry_count).toBe(1);
  // One stream, no timer: a handful of requests, not a refresh every second and a prefetch per link.
  expect(requests.filter((u) => u.includes("_rsc")).length).toBeLessThan(5);
});

test("live updates come over one stream: nothing refreshes while nothing changes, one update when it does", async ({ page, context, admin, signIn, letters, db }) => {
  const [id] = await letters.seed([{ message: "retry in flight", status: "RETRYING" }]);
  await letters.seed(Array.from({ length: 10 }, (_, i) => ({ message: `other ${i}`, status: "RETRYING" as const })));
  await signIn(context, admin);
  // The page's timers run on a fake clock: a minute of them passes at once, with no waiting.
  await page.clock.install();
  const list = new DeadLettersPage(page);
  await list.goto(`functionId=${letters.functionId}&status=RETRYING`);
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-state", "following");
  // Requests for admin pages' server components: a refresh, or a prefetch of a link on the page.
  // (The site header's own links prefetch once after a load, on their own schedule; not counted.)
  const rsc: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if ((url.searchParams.has("_rsc") || r.headers()["rsc"] === "1") && url.pathname.startsWith("/admin/")) rsc.push(url.pathname + url.search);
  });
  const stream = page.waitForRequest((r) => r.url().includes("/api/admin/dead-letters/live"));
  await page.reload();
  await stream;
  await page.clock.runFor("01:00");
  // A minute of page timers with eleven letters in flight and no change: no refresh, no prefetch.
  expect(rsc).toEqual([]);
  await db.query("update dead_letter_jobs set status = 'OPEN' where id = $1", [id]);
  await expect(list.rows).toHaveCount(10);
  await page.clock.runFor("01:00");
  // One re-render for the change; the list's links (50 letters, users) are not prefetched.
  expect(rsc.filter((u) => u.startsWith("/admin/dead-letters?"))).toHaveLength(1);
  expect(rsc.filter((u) => !u.startsWith("/admin/dead-letters?"))).toEqual([]);
});

test("overview: full width, a readable chart with a table, executor health, and no unconfirmed destructive button", async ({ page, context, admin, signIn, db }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  // This admin's own welcome email (admin:create queued it), as if it had waited 10 minutes.
  await db.query("update users set welcome_requested_at = now() - interval '10 minutes' where id = $1 and welcome_email_status = 'QUEUED'", [admin.id]);
  await signIn(context, admin);
  const overview = new AdminPage(page);
  await overview.goto();
  const main = await page.locator("main").boundingBox();
  expect(main!.width).toBeGreaterThan(1300);
  await expect(overview.chart.locator("table")).toHaveCount(1);
  await expect(overview.chart.locator("table tbody tr")).toHaveCount(14);
  await expect(overview.chart.locator("figcaption")).toContainText("in the last 14 days");
  await expect(page.getByTestId("executor-reachable")).toHaveAttribute("data-reachable", "true");
  await expect(page.getByTestId("outbox-backlog")).toContainText("unsent");
  await expect(page.getByTestId("mail-backlog")).toContainText(/not sent yet|none waiting/);
  await expect(page.getByTestId("welcome-backlog")).toContainText(/\d+ not sent yet/);
  await expect(page.getByTestId("welcome-backlog")).toHaveClass(/text-red-700/); // waited over 5 minutes
  await expect(page.getByRole("button", { name: /Sign out everywhere/ })).toHaveCount(0);
});

test("users page: find someone, see their background work and failures, sign them out everywhere after confirming", async ({ page, context, admin, member, signIn, sessionCount, letters }) => {
  await letters.seed([{ message: "Email provider answered 503", user: member }]);
  await signIn(context, member);
  await context.clearCookies();
  await signIn(context, admin);
  const users = new UsersPage(page);
  // A NUL in the search (a hand-edited address) was a 500: now the search is ignored, with a note.
  await users.goto("bob\u0000");
  await expect(page.getByRole("status").filter({ hasText: "Search ignored" })).toHaveText("Search ignored: The search can't contain control characters.");
  await users.search(member.email.slice(0, 18));
  await expect(users.rows).toHaveCount(1);
  await users.rows.first().getByRole("link", { name: member.name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(member.name);
  await expect(users.work("welcome-email")).toBeVisible();
  await expect(users.work("avatar")).toContainText("not started");
  await expect(users.work("digest")).toBeVisible();
  await expect(page.getByRole("link", { name: `Every dead letter about ${member.name}` })).toBeVisible();

  const form = users.revokeFormFor(member.email);
  const before = await sessionCount(member);
  expect(before).toBeGreaterThan(0);
  await form.getByRole("button", { name: "Sign out everywhere…" }).click();
  await expect(form.getByRole("alertdialog")).toContainText(`Sign ${member.email} out of ${before} session`);
  await form.getByRole("button", { name: "Cancel" }).click();
  expect(await sessionCount(member)).toBe(before);
  await form.getByRole("button", { name: "Sign out everywhere…" }).click();
  await form.getByRole("button", { name: "Sign out everywhere", exact: true }).click();
  await expect(form.getByRole("status")).toContainText(`Signed ${member.email} out of ${before} session`);
  expect(await sessionCount(member)).toBe(0);

  await page.goto(`/admin/dead-letters?status=ALL&userId=${member.id}`);
  await expect(page.getByTestId("scope-note")).toContainText(member.email);
  await expect(new DeadLettersPage(page).rows).toHaveCount(1);
});

test("audit log: readable actions, filters by who, what and when, links to what was touched", async ({ page, context, admin, signIn, letters }) => {
  const [id] = await letters.seed([{ message: "needs a note" }]);
  await signIn(context, admin);
  await page.goto(`/admin/dead-letters/${id}`);
  const letter = new DeadLetterPage(page);
  await letter.note.fill("Handled by support in the ticket.");
  await letter.resolve.click();
  await expect(letter.status).toHaveAttribute("data-status", "RESOLVED");

  await page.goto("/admin/audit");
  await page.getByLabel("Who").selectOption(admin.email);
  await page.getByLabel("What").selectOption({ label: "Resolved a dead letter" });
  await page.getByRole("button", { name: "Apply" }).click();
  const rows = page.getByTestId("audit-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Resolved a dead letter");
  await expect(rows.first()).toContainText("Handled by support");
  await expect(rows.first().locator("td").first()).not.toHaveText(/^\s*$/);
  await rows.first().getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/admin/dead-letters/${id}$`));

  await page.goto(`/admin/audit?actor=${encodeURIComponent(admin.email)}&from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
  await expect(page.getByTestId("audit-row")).toHaveCount(0);
});

export type { Account };
