import { hashToken } from "../lib/accounts/session-tokens";
import { E2E } from "./config";
import { expect, test, type Person } from "./fixtures";
import { AccountPage } from "./pages/account-page";
import { CheckInboxPage } from "./pages/check-inbox-page";
import { InboxPage } from "./pages/inbox-page";
import { LogInPage } from "./pages/log-in-page";
import { SignUpPage } from "./pages/sign-up-page";
import { VerifyEmailPage } from "./pages/verify-email-page";
import type { Page } from "@playwright/test";

const CONFIRM = "Confirm your email for Signup Jobs";
const NOTICE = "Someone tried to sign up with your address";

/** Opens the newest verification email to `email` in the mail catcher and uses its link. */
async function verifyFromInbox(page: Page, email: string): Promise<string> {
  const inbox = new InboxPage(page);
  await inbox.waitFor(email, CONFIRM);
  await inbox.open(CONFIRM);
  const link = await inbox.linkTo("/verify-email");
  await page.goto(link);
  await new VerifyEmailPage(page).confirm.click();
  return link;
}

async function signUpAndWatch(page: Page, person: Partial<Person>) {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp(person);
  const pending = new CheckInboxPage(page);
  await expect(page).toHaveURL(/\/signup\/check-inbox$/);
  await expect(pending.heading).toBeVisible();
  return pending;
}

test("a visitor signs up, watches the email go out, opens the link from the inbox, and lands verified and logged in", async ({ page, visitor, db }) => {
  const pending = await signUpAndWatch(page, visitor);
  await expect(pending.emailProgress).toContainText(visitor.email);
  // No reload: the line follows the email until it is out.
  await expect(pending.emailProgress).toHaveAttribute("data-state", "sent");
  await expect(pending.emailProgress).toContainText("Sent ✓");
  // Not logged in yet, and not verified.
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  expect((await db.query("select email_verified_at from users where email = $1", [visitor.email])).rows[0]).toEqual({ email_verified_at: null });

  const link = await verifyFromInbox(page, visitor.email);
  const account = new AccountPage(page);
  await expect(page).toHaveURL(/\/account$/);
  await expect(account.name).toHaveText(visitor.name);
  await expect(account.email).toHaveText(visitor.email);
  await expect(page.getByTestId("header-account")).toHaveText(visitor.name);
  await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "sent");

  // The link works once.
  await page.goto(link);
  await new VerifyEmailPage(page).confirm.click();
  await expect(new VerifyEmailPage(page).alert).toHaveText("This link has already been used. Log in with your email and password.");
});

test("signing up with an address that has an account shows the same page, and the owner gets a notice", async ({ page, member }) => {
  const pending = await signUpAndWatch(page, { name: "Someone Else", email: member.email.toUpperCase(), password: "another-password" });
  await expect(pending.emailProgress).toHaveAttribute("data-state", "sent");
  await expect(pending.emailProgress).toHaveText(`We've sent an email to ${member.email}.Sent ✓`);

  const inbox = new InboxPage(page);
  await inbox.waitFor(member.email, NOTICE);
  await expect(inbox.messages).toHaveCount(1);

  // The owner's account is unchanged: their password still logs in.
  const logIn = new LogInPage(page);
  await logIn.goto();
  await logIn.logIn(member.email, member.password);
  await expect(page).toHaveURL(/\/account$/);
});

test("the 6th rapid sign-up from one client gets a clear 429 message in the form", async ({ page, db, clientAddress }) => {
  const emails = Array.from({ length: 6 }, (_, i) => `e2e-burst-${clientAddress.replaceAll(".", "-")}-${i}@example.com`);
  try {
    const signUp = new SignUpPage(page);
    for (const email of emails.slice(0, 5)) await signUpAndWatch(page, { name: "Burst", email, password: "long enough password" });
    await signUp.goto();
    await signUp.signUp({ name: "Burst", email: emails[5], password: "long enough password" });
    await expect(page.locator("form").getByRole("alert")).toHaveText(/^Too many sign-ups from your network\. Try again in (60 minutes|1 hour)\.$/);
    await expect(page).toHaveURL(/\/signup$/);
    expect((await db.query("select 1 from users where email = $1", [emails[5]])).rowCount).toBe(0);
  } finally {
    await db.query("delete from users where email = any($1)", [emails]);
  }
});

test("invalid sign-up fields are explained next to each field", async ({ page }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp({ name: " ", email: "not-an-email", password: "short" });

  await expect(signUp.errorFor("name")).toHaveText("Enter your name");
  await expect(signUp.errorFor("email")).toHaveText("Enter a valid email address, like name@example.com");
  await expect(signUp.errorFor("password")).toHaveText("Password must be at least 8 characters");
});

test("an unverified account logging in sees what is pending and can ask for the link again", async ({ page, visitor }) => {
  await signUpAndWatch(page, visitor);
  await page.context().clearCookies();

  const logIn = new LogInPage(page);
  await logIn.goto();
  await logIn.logIn(visitor.email, visitor.password);
  const pending = new CheckInboxPage(page);
  await expect(page).toHaveURL(/\/signup\/check-inbox$/);
  await expect(pending.emailProgress).toHaveText(`We sent a link to ${visitor.email} when you signed up.`);
  await pending.sendAgain.click();
  await expect(pending.sendAgainStatus).toHaveText(`We're sending a new email to ${visitor.email}.`);
  await expect(pending.emailProgress).toHaveAttribute("data-state", "sent");

  const inbox = new InboxPage(page);
  await inbox.waitFor(visitor.email, CONFIRM);
  await expect(inbox.messages).toHaveCount(2);
  // Either link works; the newest is used here.
  await verifyFromInbox(page, visitor.email);
  await expect(page).toHaveURL(/\/account$/);
});

test("a member logs out, cannot see the account page, and logs back in", async ({ page, member }) => {
  const logIn = new LogInPage(page);
  await logIn.goto();
  await logIn.logIn(member.email, member.password);
  const account = new AccountPage(page);
  await expect(account.email).toHaveText(member.email);

  await account.logOut.click();
  await expect(page).toHaveURL(/\/login$/);
  await account.goto();
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);

  await logIn.logIn(member.email, member.password);
  await expect(page).toHaveURL(/\/account$/);
});

test("logging in replaces the session the browser's cookie had", async ({ page, context, member, signIn, sessionCount, db }) => {
  const logIn = new LogInPage(page);
  await logIn.goto();
  // The form is open; meanwhile the browser holds a session cookie (an earlier log-in, or one
  // planted on it). Logging in must not leave that session alive beside the new one.
  const before = await signIn(context, member);
  await logIn.logIn(member.email, member.password);
  await expect(page).toHaveURL(/\/account$/);
  expect((await db.query("select 1 from sessions where token_hash = $1", [hashToken(before)])).rowCount).toBe(0);
  expect(await sessionCount(member)).toBe(1);
});

test("sign out everywhere on the account page ends every session, this browser's too", async ({ page, context, browser, member, signIn, sessionCount }) => {
  const elsewhere = await browser.newContext();
  await signIn(elsewhere, member);
  await signIn(context, member);
  expect(await sessionCount(member)).toBe(2);

  const account = new AccountPage(page);
  await account.goto();
  await account.signOutEverywhere.click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await sessionCount(member)).toBe(0);
  const other = await elsewhere.newPage();
  await other.goto("/account");
  await expect(other).toHaveURL(/\/login\?next=%2Faccount$/);
  await elsewhere.close();
});

test("a wrong password and an unknown email get the same error", async ({ page, member }) => {
  const logIn = new LogInPage(page);
  await logIn.goto();
  await logIn.logIn(member.email, "wrong-password");
  await expect(logIn.alert).toHaveText("Email or password is incorrect.");
  await expect(logIn.email).toHaveValue(member.email);

  await logIn.logIn("nobody-here@example.com", "wrong-password");
  await expect(logIn.alert).toHaveText("Email or password is incorrect.");
  await expect(page).toHaveURL(/\/login$/);
});

test("a forged session cookie is treated as logged out", async ({ page, context }) => {
  await context.addCookies([{ name: "session", value: "forged-token", url: `http://127.0.0.1:${E2E.appPort}` }]);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
});
