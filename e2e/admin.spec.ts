import { E2E } from "./config";
import { expect, test } from "./fixtures";
import { AdminPage } from "./pages/admin-page";
import { LogInPage } from "./pages/log-in-page";
import { UsersPage } from "./pages/users-page";

test("a logged-out visitor opening /admin is sent to log in, then back", async ({ page, admin }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin$/);
  await new LogInPage(page).logIn(admin.email, admin.password);
  await expect(new AdminPage(page).heading).toBeVisible();
});

test("a member opening /admin gets the 403 page", async ({ page, context, member, signIn }) => {
  await signIn(context, member);
  const response = await new AdminPage(page).goto();
  expect(response?.status()).toBe(403);
  await expect(new AdminPage(page).forbidden).toContainText("You don't have access to this page");
});

test("an admin (made with npm run admin:create) sees the dashboard shell", async ({ page, context, admin, member, signIn }) => {
  await signIn(context, admin);
  const adminPage = new AdminPage(page);
  const response = await adminPage.goto();
  expect(response?.status()).toBe(200);
  await expect(adminPage.heading).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin", exact: true })).toBeVisible();
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Users" }).click();
  await expect(page.getByTestId("user-table")).toContainText(member.email);
});

test("the admin route handler answers 401, 403 and 200 by session and role", async ({ playwright, context, member, admin, signIn }) => {
  const anonymous = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  expect((await anonymous.get("/api/admin/users")).status()).toBe(401);
  await anonymous.dispose();

  await signIn(context, member);
  expect((await context.request.get("/api/admin/users")).status()).toBe(403);

  await context.clearCookies();
  await signIn(context, admin);
  const ok = await context.request.get("/api/admin/users");
  expect(ok.status()).toBe(200);
  const body = (await ok.json()) as { users: { email: string; passwordHash?: string }[] };
  expect(body.users.map((u) => u.email)).toContain(member.email);
  expect(JSON.stringify(body)).not.toMatch(/password/i);
});

test("the admin server action checks the role itself, not just the page", async ({ page, context, admin, member, signIn, sessionCount }) => {
  await signIn(context, member); // the session the admin will try to revoke
  await context.clearCookies();
  await signIn(context, admin);
  const users = new UsersPage(page);
  await page.goto(`/admin/users/${member.id}`);
  const form = users.revokeFormFor(member.email);
  await form.getByRole("button", { name: "Sign out everywhere…" }).click();

  // The page is already loaded; now the same browser posts the action as a member…
  await context.clearCookies();
  await signIn(context, member);
  const sessionsBefore = await sessionCount(member);
  await form.getByRole("button", { name: "Sign out everywhere", exact: true }).click();
  await expect(form.getByRole("alert")).toHaveText("You don't have permission to do that.");
  expect(await sessionCount(member)).toBe(sessionsBefore);

  // …and with a cookie that matches no session (the proxy only checks a cookie is present).
  await context.clearCookies();
  await context.addCookies([{ name: "session", value: "forged", url: `http://127.0.0.1:${E2E.appPort}` }]);
  await form.getByRole("button", { name: "Sign out everywhere", exact: true }).click();
  await expect(form.getByRole("alert")).toHaveText("Please log in to continue.");
  expect(await sessionCount(member)).toBe(sessionsBefore);

  // As the admin it works.
  await context.clearCookies();
  await signIn(context, admin);
  await form.getByRole("button", { name: "Sign out everywhere", exact: true }).click();
  await expect(form.getByRole("status")).toContainText(`Signed ${member.email} out of ${sessionsBefore} session`);
  expect(await sessionCount(member)).toBe(0);
});
