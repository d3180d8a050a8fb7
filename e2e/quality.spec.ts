// The shared quality bars on every page — public, the person's, admin, and the mail catcher's inbox
// and a message: no horizontal page scroll at 390 px (wide tables scroll inside their box), one
// <h1>, and axe clean (WCAG 2.0/2.1/2.2 A and AA plus best practices, target-size included) at
// 390 px (and the admin pages at 1440 px too); the app's pages also name a favicon and say "log in"
// only as a link.
import { createMailCatcherClient } from "@signup-jobs/mail-catcher";
import { expectAccessible, expectFavicon, expectLogInIsALink, expectNoHorizontalScroll, expectOneH1 } from "./a11y";
import { E2E } from "./config";
import { expect, test } from "./fixtures";
import { linkIn } from "./mail";
import { InboxPage } from "./pages/inbox-page";

const mail = createMailCatcherClient(`http://127.0.0.1:${E2E.mailPort}`);

test("every admin page fits 390 px, has one heading hierarchy and passes axe", async ({ page, context, admin, member, signIn, letters, db }) => {
  test.slow();
  const [letterId] = await letters.seed([
    { message: `Email provider answered 422: ${member.email} was rejected because the mailbox does not exist and will not exist (#123456789)`, errorName: "NonRetriableError", user: member },
    { message: "Could not relay 3 outbox events", label: "run for 2026-11-30 02:00 UTC", status: "RESOLVED", resolutionNote: "A long note about what happened. ".repeat(6) },
    { message: "Email provider answered 503: service unavailable", status: "RETRYING", user: member },
  ]);
  const bulk = await db.query<{ id: string }>(
    "insert into bulk_actions (id, kind, filter, total, processed, created_by_id, created_by, status) values (gen_random_uuid(), 'RETRY', $1, 3, 3, $2, $3, 'DONE') returning id",
    [JSON.stringify({ functionId: letters.functionId, before: new Date().toISOString() }), admin.id, admin.email],
  );
  await signIn(context, admin);
  const pages = [
    "/admin",
    `/admin/dead-letters?functionId=${letters.functionId}`,
    `/admin/dead-letters?functionId=${letters.functionId}&status=ALL`,
    `/admin/dead-letters?functionId=${letters.functionId}&view=groups`,
    `/admin/dead-letters/${letterId}`,
    `/admin/dead-letters/bulk?kind=retry&functionId=${letters.functionId}`,
    `/admin/dead-letters/bulk/${bulk.rows[0]!.id}`,
    "/admin/audit",
    "/admin/users",
    `/admin/users/${member.id}`,
    "/admin/schedules",
  ];
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const path of pages) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      if (width === 390) await expectNoHorizontalScroll(page);
      await expectOneH1(page);
      await expectAccessible(page);
    }
  }
  await db.query("delete from bulk_actions where id = $1", [bulk.rows[0]!.id]);
});

test("the mail catcher's inbox and a message fit 390 px and pass axe", async ({ page, visitor }) => {
  const response = await page.request.post("/api/users", { data: { name: visitor.name, email: visitor.email, password: visitor.password } });
  expect(response.status()).toBe(202);
  await mail.waitForMessages({ to: visitor.email, timeoutMs: 30_000 });
  await page.setViewportSize({ width: 390, height: 844 });
  const inbox = new InboxPage(page);
  await inbox.goto();
  await expectNoHorizontalScroll(page);
  await expectOneH1(page);
  await expectAccessible(page);
  await inbox.goto(visitor.email);
  // The address is not verified yet: the message there is the link to confirm it.
  await inbox.open("Confirm your email for Signup Jobs");
  await expectNoHorizontalScroll(page);
  await expectOneH1(page);
  await expectAccessible(page);
});

test("every public and person page fits 390 px, has one heading hierarchy, passes axe, links every 'log in' and has a favicon", async ({ page, context, member, visitor, signIn, db }) => {
  test.slow();
  await page.setViewportSize({ width: 390, height: 844 });
  const check = async (path: string, status = 200) => {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(status);
    await expectNoHorizontalScroll(page);
    await expectOneH1(page);
    await expectAccessible(page);
    await expectLogInIsALink(page);
    await expectFavicon(page);
  };

  // Anyone.
  await check("/");
  await check("/login");
  await check("/signup");
  await check("/signup/check-inbox"); // no sign-up in this browser yet
  await check("/verify-email?token=not-a-token");
  await check("/unsubscribe?token=not-a-token", 400);
  await check("/no-such-page", 404);

  // Someone who has just signed up: the page that follows the email, and the link's page.
  const response = await page.request.post("/api/users", { data: { name: visitor.name, email: visitor.email, password: visitor.password } });
  expect(response.status()).toBe(202);
  const [message] = await mail.waitForMessages({ to: visitor.email, timeoutMs: 30_000 });
  await check("/signup/check-inbox");
  const link = new URL(linkIn(message?.text ?? "", "/verify-email"));
  await check(link.pathname + link.search);

  // A member, with both jobs failed for good (what each offers is on the page), then both done.
  await db.query("update users set welcome_email_status = 'FAILED', avatar_status = 'FAILED', avatar_upload_id = gen_random_uuid() where id = $1", [member.id]);
  await context.clearCookies();
  await signIn(context, member);
  await check("/account");
  await db.query("update users set welcome_email_status = 'SENT', avatar_status = 'NONE', avatar_upload_id = null where id = $1", [member.id]);
  await check("/account");
  await check("/admin", 403);
});
