import { E2E } from "./config";
import { expect, test } from "./fixtures";
import { AccountPage } from "./pages/account-page";
import { LogInPage } from "./pages/log-in-page";
import { SignUpPage } from "./pages/sign-up-page";

test("a visitor signs up and lands logged in on their account page", async ({ page, visitor }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp(visitor);

  const account = new AccountPage(page);
  await expect(page).toHaveURL(/\/account$/);
  await expect(account.name).toHaveText(visitor.name);
  await expect(account.email).toHaveText(visitor.email);
  await expect(page.getByTestId("header-account")).toHaveText(visitor.name);
});

test("signing up again with the same email shows an error on the email field", async ({ page, member }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp({ name: "Someone Else", email: member.email.toUpperCase(), password: "another-password" });

  await expect(signUp.errorFor("email")).toHaveText(/An account with this email already exists/);
  await expect(signUp.email).toHaveAttribute("aria-invalid", "true");
  await expect(signUp.email).toHaveValue(member.email.toUpperCase()); // kept as typed
  await expect(signUp.password).toHaveValue("");
  await expect(page).toHaveURL(/\/signup$/);
});

test("invalid sign-up fields are explained next to each field", async ({ page }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp({ name: " ", email: "not-an-email", password: "short" });

  await expect(signUp.errorFor("name")).toHaveText("Enter your name");
  await expect(signUp.errorFor("email")).toHaveText("Enter a valid email address, like name@example.com");
  await expect(signUp.errorFor("password")).toHaveText("Password must be at least 8 characters");
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
