import { expect, test } from "./fixtures";
import { pixelBomb, pngAvatar } from "./files";
import { AccountPage } from "./pages/account-page";
import { CheckInboxPage } from "./pages/check-inbox-page";
import { InboxPage } from "./pages/inbox-page";
import { SignUpPage } from "./pages/sign-up-page";
import { VerifyEmailPage } from "./pages/verify-email-page";

test("signing up with an avatar: once verified, the account page shows both jobs finish live, and the welcome email arrives", async ({ page, visitor }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.chooseAvatar({ name: "me.png", mimeType: "image/png", buffer: await pngAvatar() });
  await signUp.signUp(visitor);
  await expect(new CheckInboxPage(page).emailProgress).toHaveAttribute("data-state", "sent");

  // The avatar waits for the verified address, like the welcome email.
  const inbox = new InboxPage(page);
  await inbox.waitFor(visitor.email, "Confirm your email for Signup Jobs");
  await inbox.open("Confirm your email for Signup Jobs");
  await page.goto(await inbox.linkTo("/verify-email"));
  await new VerifyEmailPage(page).confirm.click();

  const account = new AccountPage(page);
  await expect(page).toHaveURL(/\/account$/);
  // No reload from here on: the panel updates itself.
  await expect(account.welcomeEmailStatus).toHaveAttribute("data-state", "sent");
  await expect(account.welcomeEmailStatus).toContainText("Sent");
  await expect(account.avatarStatus).toHaveAttribute("data-state", "ready");

  // Still no reload: the header and the account page pick up the processed avatar — on the page
  // once (the header keeps its small copy).
  await expect(page.getByTestId("header-avatar")).toBeVisible();
  await expect(account.avatar).toBeVisible();
  await expect(page.getByRole("main").getByRole("img", { name: "Your avatar" })).toHaveCount(1);

  await inbox.goto(visitor.email);
  await expect(inbox.messageLink("Welcome to Signup Jobs")).toBeVisible();
});

test("a non-image file named like an image gets a field error and no account", async ({ page, visitor, db }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.chooseAvatar({ name: "holiday.png", mimeType: "image/png", buffer: Buffer.from("this is not a picture") });
  await signUp.signUp(visitor);

  await expect(signUp.errorFor("avatar")).toHaveText("This file isn't an image we can read. Use a PNG, JPEG, WebP or GIF.");
  await expect(signUp.email).toHaveValue(visitor.email);
  const { rowCount } = await db.query("select 1 from users where email = $1", [visitor.email]);
  expect(rowCount).toBe(0);
});

test("an oversized avatar is refused with a clear message before anything is uploaded", async ({ page, visitor, db }) => {
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.chooseAvatar({ name: "huge.jpg", mimeType: "image/jpeg", buffer: Buffer.alloc(6 * 1024 * 1024, 1) });
  await expect(signUp.errorFor("avatar")).toHaveText("The avatar must be 5 MB or smaller.");
  await signUp.signUp(visitor);
  await expect(signUp.errorFor("avatar")).toHaveText("The avatar must be 5 MB or smaller.");
  await expect(page).toHaveURL(/\/signup$/);
  const { rowCount } = await db.query("select 1 from users where email = $1", [visitor.email]);
  expect(rowCount).toBe(0);
});

test.describe("POST /api/users", () => {
  test("answers 202 with a status URL that says when the verification email is out", async ({ request, visitor }) => {
    const response = await request.post("/api/users", { data: visitor });
    expect(response.status()).toBe(202);
    const body = (await response.json()) as { statusUrl: string };
    expect(body).toEqual({ status: "accepted", message: "Check your inbox: we're sending an email to finish signing up.", statusUrl: "/api/sign-up/status" });
    expect(response.headers()["server-timing"]).toMatch(/^hash;dur=[\d.]+, app;dur=[\d.]+$/);
    await expect.poll(async () => ((await (await request.get(body.statusUrl)).json()) as { status: string }).status).toBe("sent");
  });

  test("refuses bad input with the right status and leaves nothing behind", async ({ request, visitor, db }) => {
    const outboxRows = async () => Number((await db.query<{ n: string }>("select count(*) as n from outbox_events")).rows[0]!.n);
    const outboxBefore = await outboxRows();
    const cases: { name: string; send: () => ReturnType<typeof request.post>; status: number; message: RegExp }[] = [
      { name: "malformed JSON", send: () => request.post("/api/users", { headers: { "content-type": "application/json" }, data: Buffer.from("{nope") }), status: 400, message: /not valid JSON/ },
      { name: "wrong content type", send: () => request.post("/api/users", { headers: { "content-type": "text/plain" }, data: "hi" }), status: 415, message: /application\/json or multipart/ },
      { name: "missing fields", send: () => request.post("/api/users", { data: { email: visitor.email } }), status: 422, message: /Some fields are invalid/ },
      {
        name: "non-image with an image extension",
        send: () => request.post("/api/users", { multipart: { ...visitor, avatar: { name: "a.jpg", mimeType: "image/jpeg", buffer: Buffer.from("GIF89a but not really") } } }),
        status: 415,
        message: /isn't an image we can read/,
      },
      {
        name: "truncated image",
        send: async () => {
          const png = await pngAvatar();
          return request.post("/api/users", { multipart: { ...visitor, avatar: { name: "cut.png", mimeType: "image/png", buffer: png.subarray(0, Math.floor(png.length / 2)) } } });
        },
        status: 422,
        message: /damaged or incomplete/,
      },
      {
        name: "50-megapixel decompression bomb",
        send: async () => request.post("/api/users", { multipart: { ...visitor, avatar: { name: "bomb.png", mimeType: "image/png", buffer: await pixelBomb() } } }),
        status: 422,
        message: /at most 25 megapixels/,
      },
      {
        name: "oversized body",
        send: () => request.post("/api/users", { multipart: { ...visitor, avatar: { name: "big.png", mimeType: "image/png", buffer: Buffer.alloc(7 * 1024 * 1024) } } }),
        status: 413,
        message: /avatar of up to 5 MB/,
      },
    ];
    for (const c of cases) {
      const response = await c.send();
      expect(response.status(), c.name).toBe(c.status);
      expect(((await response.json()) as { error: { message: string } }).error.message, c.name).toMatch(c.message);
    }
    const users = await db.query("select id from users where email = $1", [visitor.email]);
    expect(users.rowCount).toBe(0);
    expect(await outboxRows()).toBe(outboxBefore);
  });

  test("an address that has an account gets the same 202 answer as a new one", async ({ request, member, visitor }) => {
    const taken = await request.post("/api/users", { data: { name: "Again", email: member.email, password: "long enough" } });
    const fresh = await request.post("/api/users", { data: visitor });
    expect([taken.status(), fresh.status()]).toEqual([202, 202]);
    expect(await taken.json()).toEqual(await fresh.json());
    expect(taken.headers()["location"]).toBe(fresh.headers()["location"]);
  });
});
