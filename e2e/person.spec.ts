// The person's side of the background work, as they live it on their account page: which attempt a
// retrying job is on, what they can do when one fails for good (send the welcome email again, choose
// another image), and forms that keep what was typed and take them to the first error.
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { expectFitsWidth } from "./a11y";
import { E2E } from "./config";
import { pngAvatar } from "./files";
import { linkIn } from "./mail";
import { expect, test, type Person } from "./fixtures";
import { AccountPage } from "./pages/account-page";
import { DeadLetterPage } from "./pages/dead-letters-page";
import { LogInPage } from "./pages/log-in-page";
import { SignUpPage } from "./pages/sign-up-page";
import { VerifyEmailPage } from "./pages/verify-email-page";

const mail = createMailCatcherClient(`http://127.0.0.1:${E2E.mailPort}`);
const WELCOME = "Welcome to Signup Jobs";
const exactly = (email: string) => `^${email.replace(/[+.]/g, "\\$&")}$`;

/** Signs up through the API (this browser gets the pending cookie) and returns the link from the verification email. */
async function signUpForLink(request: APIRequestContext, who: Person, avatar?: Buffer): Promise<string> {
  const response = avatar
    ? await request.post("/api/users", { multipart: { ...who, avatar: { name: "me.png", mimeType: "image/png", buffer: avatar } } })
    : await request.post("/api/users", { data: who });
  expect(response.status()).toBe(202);
  const [message] = await mail.waitForMessages({ to: who.email, timeoutMs: 30_000 });
  return linkIn(message?.text ?? "", "/verify-email");
}

/** Uses the link as the person does: open it, press the button, land on the account page. */
async function verify(page: Page, link: string): Promise<AccountPage> {
  await page.goto(link);
  await new VerifyEmailPage(page).confirm.click();
  await expect(page).toHaveURL(/\/account$/);
  return new AccountPage(page);
}

test.afterEach(async ({ db, visitor }) => {
  await db.query("delete from dead_letter_jobs where subject_email = $1", [visitor.email]);
});

test("while the welcome email is retried, the account page says which attempt is under way, then that it is sent", async ({ page, visitor }) => {
  const link = await signUpForLink(page.request, visitor);
  // The mail service fails the next three sends, slowly (2.5 s each), then recovers.
  const outage = await mail.addFault({ match: exactly(visitor.email), status: 503, times: 3, delayMs: 2_500 });
  try {
    const account = await verify(page, link);
    // No reload: the line follows each retry.
    await expect(account.welcomeEmailStatus).toContainText("Retrying (attempt 2 of 5)");
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "retrying");
    await expect(account.welcomeEmailStatus).toContainText("Retrying (attempt 3 of 5)");
    await expect(account.welcomeEmailStatus).toContainText("Retrying (attempt 4 of 5)");
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "sent", { timeout: 30_000 });
    await expect(account.welcomeEmailStatus).toContainText("Sent");
    const messages = await mail.waitForMessages({ to: visitor.email, count: 2 });
    expect(messages.filter((m) => m.subject === WELCOME)).toHaveLength(1);
  } finally {
    await mail.removeFault(outage.id);
  }
});

test("the account page rides out a status route failing for a moment (a database restart) and still sees the email sent", async ({ page, visitor }) => {
  const link = await signUpForLink(page.request, visitor);
  // The send takes 3 s, so the page is watching while the route fails.
  const slow = await mail.addFault({ match: exactly(visitor.email), status: "accept", times: 1, delayMs: 3_000 });
  let failures = 3;
  await page.route("**/api/users/*/status", (route) => (failures-- > 0 ? route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"unavailable"}' }) : route.continue()));
  try {
    const account = await verify(page, link);
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "sent", { timeout: 30_000 });
    expect(failures).toBeLessThan(0); // the three 503s were served, and the page went on asking
  } finally {
    await mail.removeFault(slow.id);
  }
});

test("a welcome email that failed for good can be sent again from the account page, which resolves its dead letter", async ({ page, visitor, db }) => {
  const link = await signUpForLink(page.request, visitor);
  const rejected = await mail.addFault({ match: exactly(visitor.email), status: 422, times: 1 });
  try {
    const account = await verify(page, link);
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "failed");
    await expect(account.welcomeEmailStatus).toContainText("Couldn't send");

    await account.sendWelcomeAgain.click();
    // No reload: the same line follows the new try until it is out.
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "sent");
    await expect(account.sendWelcomeAgain).toHaveCount(0);
    const messages = await mail.waitForMessages({ to: visitor.email, count: 2 });
    expect(messages.filter((m) => m.subject === WELCOME)).toHaveLength(1);
    await expect
      .poll(async () => (await db.query("select status, resolved_by from dead_letter_jobs where subject_email = $1", [visitor.email])).rows)
      .toEqual([{ status: "RESOLVED", resolved_by: "retry" }]);
  } finally {
    await mail.removeFault(rejected.id);
  }
});

test("a welcome email the support team retries shows on the person's page when they come back to it, then sent", async ({ page, visitor, browser, admin, signIn, db }) => {
  const link = await signUpForLink(page.request, visitor);
  const rejected = await mail.addFault({ match: exactly(visitor.email), status: 422, times: 1 });
  try {
    const account = await verify(page, link);
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "failed");

    // Meanwhile an admin retries it from the dead-letter dashboard, in another browser.
    const openLetter = async () => (await db.query<{ id: string }>("select id from dead_letter_jobs where subject_email = $1 and status = 'OPEN'", [visitor.email])).rows[0]?.id;
    await expect.poll(openLetter).toBeTruthy();
    const letterId = await openLetter();
    const support = await browser.newContext();
    try {
      await signIn(support, admin);
      const letter = new DeadLetterPage(await support.newPage());
      await letter.page.goto(`/admin/dead-letters/${letterId}`);
      await letter.retry.click();
      await letter.retryAnyway.click(); // a 422 is permanent: the page asks first
      await expect(letter.status).not.toHaveAttribute("data-status", "OPEN");
    } finally {
      await support.close();
    }

    // The person's tab had stopped watching (it had failed for good); coming back to it checks again.
    await page.evaluate(() => window.dispatchEvent(new Event("focus")));
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "sent", { timeout: 30_000 });
    await expect(account.sendWelcomeAgain).toHaveCount(0);
    expect((await mail.waitForMessages({ to: visitor.email, count: 2 })).filter((m) => m.subject === WELCOME)).toHaveLength(1);
  } finally {
    await mail.removeFault(rejected.id);
  }
});

test("sending the welcome email again is limited to three times a day, said in the form, with focus on the message", async ({ page, visitor }) => {
  test.slow();
  const link = await signUpForLink(page.request, visitor);
  const rejected = await mail.addFault({ match: exactly(visitor.email), status: 422 });
  try {
    const account = await verify(page, link);
    for (let i = 0; i < 3; i++) {
      await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "failed");
      await account.sendWelcomeAgain.click();
      await expect(account.welcomeEmailStatus).not.toHaveAttribute("data-state", "failed");
    }
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "failed");
    await account.sendWelcomeAgain.click();
    const alert = page.getByRole("form", { name: "Send the welcome email again" }).getByRole("alert");
    await expect(alert).toHaveText(/^You have asked for the welcome email several times today\. Try again in \d+ hours?\.$/);
    await expect(alert).toBeFocused();
    await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "failed");
  } finally {
    await mail.removeFault(rejected.id);
  }
});

test("an avatar that could not be processed offers another image; a bad file is refused in the browser, the new image is processed live, shown once, and the page fits 390 px", async ({ page, visitor, db }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const link = await signUpForLink(page.request, visitor, await pngAvatar());
  const { rows } = await db.query<{ id: string; avatar_upload_id: string }>("select id, avatar_upload_id from users where email = $1", [visitor.email]);
  // The stored original is lost before the job runs: the resize fails for good.
  fs.rmSync(path.join(E2E.dataDir, "files", "avatars", rows[0]!.id, rows[0]!.avatar_upload_id, "original"));

  const account = await verify(page, link);
  await expect(account.avatarStatus).toHaveAttribute("data-state", "failed");
  await expect(account.avatarStatus).toContainText("We couldn't process this image");
  await expectFitsWidth(page);

  const uploads: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/account/avatar") uploads.push(request.method());
  });
  // "Choose another image" opens the picker; a document named like an image is refused before any upload.
  const picker = page.waitForEvent("filechooser");
  await account.chooseAnotherImage.click();
  await (await picker).setFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("these are my notes, not a picture") });
  await expect(account.avatarFieldError).toHaveText("This file isn't an image we can read. Use a PNG, JPEG, WebP or GIF.");
  await account.uploadImage.click();
  await expect(account.avatarField).toBeFocused();
  expect(uploads).toEqual([]);

  await account.avatarField.setInputFiles({ name: "me.png", mimeType: "image/png", buffer: await pngAvatar() });
  await expect(account.avatarFieldError).toHaveCount(0);
  await account.uploadImage.click();
  await expect(account.avatarFormStatus).toHaveText("Got it: we're processing your new image.");
  // No reload: the progress follows the new image until it is ready.
  await expect(account.avatarStatus).toHaveAttribute("data-state", "ready");
  expect(uploads).toEqual(["POST"]);
  await expect(account.avatar).toBeVisible();
  // The avatar once on the page (the header keeps its small copy), and nothing wider than the screen.
  await expect(page.getByRole("main").getByRole("img")).toHaveCount(1);
  await expect(page.getByTestId("header-avatar")).toBeVisible();
  await expectFitsWidth(page);
  // The failed image's dead letter is resolved: what it failed on is gone.
  expect((await db.query("select status, resolution_note from dead_letter_jobs where subject_user_id = $1", [rows[0]!.id])).rows).toEqual([
    { status: "RESOLVED", resolution_note: "The person chose another image." },
  ]);
});

test("after a server error the sign-up form keeps what was typed and the chosen file, focuses the first error, and never writes the password into the page", async ({ page, visitor }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.chooseAvatar({ name: "me.png", mimeType: "image/png", buffer: await pngAvatar() });
  // Spaces pass the browser; the server refuses them.
  await signUp.signUp({ ...visitor, name: "   " });
  await expect(signUp.errorFor("name")).toHaveText("Enter your name");
  await expect(signUp.name).toBeFocused();
  await expect(signUp.email).toHaveValue(visitor.email);
  await expect(signUp.password).toHaveValue(visitor.password);
  expect(await signUp.avatar.evaluate((input: HTMLInputElement) => input.files?.[0]?.name ?? null)).toBe("me.png");
  expect(await page.content()).not.toContain(visitor.password);

  // Fixing the name is all it takes.
  await signUp.name.fill(visitor.name);
  await signUp.submit.click();
  await expect(page).toHaveURL(/\/signup\/check-inbox$/);
});

test("a failed log-in keeps what was typed and moves focus to the message", async ({ page, member }) => {
  const logIn = new LogInPage(page);
  await logIn.goto();
  await logIn.logIn(member.email, "not-the-password");
  await expect(logIn.alert).toHaveText("Email or password is incorrect.");
  await expect(logIn.alert).toBeFocused();
  await expect(logIn.email).toHaveValue(member.email);
  await expect(logIn.password).toHaveValue("not-the-password");
  expect(await page.content()).not.toContain("not-the-password");

  // An empty email: the field is where focus goes.
  await logIn.email.fill("");
  await logIn.submit.click();
  await expect(logIn.email).toHaveAttribute("aria-invalid", "true");
  await expect(logIn.email).toBeFocused();
});

test("where a message says log in, it is a link to the log-in page", async ({ page, visitor, browser }) => {
  // A link that is not a link.
  await page.goto("/verify-email?token=not-a-token");
  await expect(new VerifyEmailPage(page).problem.getByRole("link", { name: "log in" })).toHaveAttribute("href", "/login");

  // A link already used, opened again in another browser (their phone): the form's message. In the
  // browser that used it the person is logged in, and /login would take them on to their account.
  const link = await signUpForLink(page.request, visitor);
  await verify(page, link);
  const phone = await browser.newContext();
  try {
    const other = await phone.newPage();
    await other.goto(link);
    const verifyPage = new VerifyEmailPage(other);
    await verifyPage.confirm.click();
    await expect(verifyPage.alert).toHaveText("This link has already been used. Log in with your email and password.");
    await expect(verifyPage.alert).toBeFocused();
    await verifyPage.alert.getByRole("link", { name: "Log in" }).click();
    await expect(other).toHaveURL(/\/login$/);
    await expect(new LogInPage(other).email).toBeVisible();
  } finally {
    await phone.close();
  }
});
