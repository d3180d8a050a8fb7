import { randomUUID } from "node:crypto";
import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { E2E } from "./config";
import { expect, test, type Account } from "./fixtures";
import { DeadLetterPage, DeadLettersPage } from "./pages/dead-letters-page";

const mail = createMailCatcherClient(`http://127.0.0.1:${E2E.mailPort}`);

/** A sign-up whose verification email the provider rejects for good (422): one dead letter. */
async function rejectedSignUp(request: import("@playwright/test").APIRequestContext) {
  const email = `reject+${randomUUID().slice(0, 8)}@example.com`;
  const response = await request.post("/api/users", { data: { name: "Rejected Person", email, password: "long enough password" } });
  expect(response.status()).toBe(202);
  return email;
}

async function openLetterFor(page: import("@playwright/test").Page, email: string) {
  const list = new DeadLettersPage(page);
  await list.goto();
  await list.filterByError(email);
  await expect(async () => {
    await page.reload();
    await expect(list.row(email)).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await list.row(email).getByRole("link", { name: "Verify email" }).click();
  await page.waitForURL(/\/admin\/dead-letters\/[0-9a-f-]{36}$/);
  return new DeadLetterPage(page);
}

test.afterEach(async ({ db }) => {
  await db.query("delete from users where email like 'reject+%@example.com'");
});

test("an admin retries a rejected verification email after fixing the cause, and it resolves itself", async ({ page, context, admin, signIn, playwright }) => {
  const api = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${E2E.appPort}` });
  const email = await rejectedSignUp(api);
  await api.dispose();
  await signIn(context, admin);

  const letter = await openLetterFor(page, email);
  await expect(letter.status).toHaveAttribute("data-status", "OPEN");
  await expect(letter.errorMessage).toContainText("422");
  await expect(page.getByTestId("attempt-timeline")).toContainText("send");

  const fix = await mail.addFault({ match: email.replace(/[+.]/g, "\\$&"), status: 200 });
  try {
    // A 422 is permanent: the page says why a retry may fail again, and asks.
    await letter.retry.click();
    await letter.retryAnyway.click();
    // No reload: the page follows the retry until the letter resolves.
    await expect(letter.status).toHaveAttribute("data-status", "RESOLVED", { timeout: 30_000 });
    await expect(page.getByTestId("resolved-by")).toHaveText("retry");
    expect(await mail.waitForMessages({ to: email, timeoutMs: 10_000 })).toHaveLength(1);
  } finally {
    await mail.removeFault(fix.id);
  }
});

test("resolving with a note records who and why, in the list and the audit log", async ({ page, context, admin, signIn }) => {
  const email = await rejectedSignUp(page.request);
  await signIn(context, admin);
  const letter = await openLetterFor(page, email);

  await letter.resolve.click();
  await expect(letter.resolveForm).toContainText("Say why this is resolved");
  await letter.note.fill("Address belongs to a closed mailbox; support contacted the customer.");
  await letter.resolve.click();
  await expect(letter.status).toHaveAttribute("data-status", "RESOLVED");

  const list = new DeadLettersPage(page);
  await list.goto(`status=RESOLVED&q=${encodeURIComponent(email)}`);
  await expect(list.row(email).getByTestId("resolved-by")).toContainText(admin.email);
  await expect(list.row(email).getByTestId("resolved-by")).toContainText("closed mailbox");

  await page.goto("/admin/audit");
  const entry = page.locator('[data-testid="audit-row"][data-action="dead_letter.resolve"]').filter({ hasText: admin.email }).first();
  await expect(entry).toContainText("Resolved a dead letter");
  await expect(entry).toContainText("closed mailbox");
});

test("retry all matching shows how many rows it will touch before doing anything", async ({ page, context, admin, signIn, db }) => {
  const first = await rejectedSignUp(page.request);
  const second = await rejectedSignUp(page.request);
  await signIn(context, admin);
  await openLetterFor(page, first);
  await openLetterFor(page, second);

  // Both letters share the rejection text; narrow to these two with a time window and the text.
  const list = new DeadLettersPage(page);
  await list.goto(`q=${encodeURIComponent("was rejected")}&status=OPEN`);
  const open = await db.query("select count(*)::int as n from dead_letter_jobs where status = 'OPEN' and (error_message ilike '%was rejected%' or error_name ilike '%was rejected%')");
  await list.selectPage.check();
  const all = page.getByRole("button", { name: /^Select all .* matching$/ });
  if (await all.isVisible()) await all.click();
  await list.retrySelected().click();
  await expect(page.getByTestId("bulk-count")).toContainText(`This will retry ${open.rows[0].n} dead letter`);
  // Nothing was touched yet.
  const still = await db.query("select count(*)::int as n from dead_letter_jobs where status = 'OPEN' and error_message ilike '%was rejected%'");
  expect(still.rows[0].n).toBe(open.rows[0].n);

  await page.getByRole("button", { name: /^Retry \d+ dead letters?$/ }).click();
  await expect(page.getByTestId("bulk-progress")).toHaveAttribute("data-status", "DONE", { timeout: 30_000 });
  await expect(page.getByTestId("bulk-progress")).toContainText(`of ${open.rows[0].n}`);
});

test("bad input on admin pages: unknown ids are a 404, tampered filters are ignored with a note", async ({ page, context, admin, signIn }) => {
  await signIn(context, admin);
  expect((await page.goto(`/admin/dead-letters/${randomUUID()}`))?.status()).toBe(404);
  expect((await page.goto("/admin/dead-letters/not-a-uuid"))?.status()).toBe(404);
  expect((await page.goto(`/admin/dead-letters/bulk/${randomUUID()}`))?.status()).toBe(404);
  const response = await page.goto("/admin/dead-letters?status=DROP%20TABLE&from=yesterday&cursor=%00%01");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("status").filter({ hasText: "Ignored" })).toContainText("Ignored invalid filter values: status, from");
});

test.describe("members are refused everywhere in admin", () => {
  const pages = ["/admin", "/admin/dead-letters", "/admin/dead-letters?view=groups", "/admin/dead-letters/bulk?kind=retry", "/admin/audit", "/admin/schedules", "/admin/users"];

  test("every admin page answers 403", async ({ page, context, member, signIn, db }) => {
    const letter = await db.query<{ id: string }>(
      "insert into dead_letter_jobs (id, function_id, function_name, run_id, last_run_id, event_name, payload, error_name, error_message, attempts, first_failed_at, last_failed_at, updated_at) values (gen_random_uuid(), 'f', 'F', $1, $1, 'e', '{}', 'Error', 'x', 1, now(), now(), now()) returning id",
      [`guard-${randomUUID()}`],
    );
    await signIn(context, member);
    for (const path of [...pages, `/admin/dead-letters/${letter.rows[0]!.id}`, `/admin/dead-letters/bulk/${randomUUID()}`, `/admin/users/${member.id}`]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
    }
    expect((await page.request.get(`/api/admin/dead-letters/live?ids=${letter.rows[0]!.id}`)).status()).toBe(403);
    await db.query("delete from dead_letter_jobs where id = $1", [letter.rows[0]!.id]);
  });

  test("every admin action refuses a member even from a loaded admin page", async ({ page, context, admin, member, signIn, db }) => {
    const email = await rejectedSignUp(page.request);
    await context.clearCookies();
    await signIn(context, admin);
    const letter = await openLetterFor(page, email);
    const id = page.url().split("/").at(-1)!;

    await letter.retry.click();
    await swapTo(context, member, signIn);
    await letter.retryAnyway.click();
    await expect(page.getByRole("form", { name: "Retry" }).getByRole("alert")).toHaveText("You don't have permission to do that.");
    await letter.note.fill("member trying to resolve");
    await letter.resolve.click();
    await expect(letter.resolveForm.getByRole("alert")).toHaveText("You don't have permission to do that.");
    const row = await db.query("select status, retry_count from dead_letter_jobs where id = $1", [id]);
    expect(row.rows[0]).toMatchObject({ status: "OPEN", retry_count: 0 });

    // The bulk confirmation and reopen actions, from pages loaded as the admin.
    await swapTo(context, admin, signIn);
    await page.goto(`/admin/dead-letters/bulk?kind=resolve&q=${encodeURIComponent(email)}`);
    await swapTo(context, member, signIn);
    await page.getByLabel("Resolution note (recorded on every row)").fill("member bulk");
    await page.getByRole("button", { name: /^Resolve 1 dead letter$/ }).click();
    await expect(page.getByRole("form", { name: "Confirm bulk action" }).getByRole("alert")).toHaveText("You don't have permission to do that.");
    expect((await db.query("select count(*)::int as n from bulk_actions where note = 'member bulk'")).rows[0].n).toBe(0);

    await db.query("update dead_letter_jobs set status = 'RESOLVED', resolved_by = 'x' where id = $1", [id]);
    await swapTo(context, admin, signIn);
    await page.goto(`/admin/dead-letters/${id}`);
    await swapTo(context, member, signIn);
    await page.getByRole("button", { name: "Reopen" }).click();
    await expect(page.getByRole("form", { name: "Reopen" }).getByRole("alert")).toHaveText("You don't have permission to do that.");
    expect((await db.query("select status from dead_letter_jobs where id = $1", [id])).rows[0].status).toBe("RESOLVED");
  });
});

async function swapTo(context: import("@playwright/test").BrowserContext, account: Account, signIn: (c: import("@playwright/test").BrowserContext, a: Account) => Promise<string>) {
  await context.clearCookies();
  await signIn(context, account);
}
