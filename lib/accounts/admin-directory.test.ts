import { expect, it } from "vitest";
import { db } from "@/lib/db";
import { getUserOverview, parseUserSearch, searchUsers, USER_SEARCH_MAX } from "@/lib/accounts/admin-directory";
import { makeUser, uniqueEmail } from "@/tests/factories";

const welcomeOf = async (id: string) => (await getUserOverview(id))?.work.find((w) => w.key === "welcome-email");

// An admin looking at someone who has not opened their verification link should not read "in
// progress, being retried" about a welcome email nobody is trying to send yet.
it("the admin's user page says a welcome email waits for verification, not that it is being retried", async () => {
  const unverified = await db.user.create({ data: { name: "Not yet", email: uniqueEmail("unverified"), passwordHash: "x" } });
  expect(await welcomeOf(unverified.id)).toMatchObject({ state: "not started", detail: "Waits for the address to be verified" });

  const verified = await makeUser();
  expect(await welcomeOf(verified.id)).toMatchObject({ state: "in progress", detail: "Queued or being retried" });
  await db.user.update({ where: { id: verified.id }, data: { welcomeEmailStatus: "FAILED" } });
  expect(await welcomeOf(verified.id)).toMatchObject({ state: "failed" });
});

// The Users page's search box: a NUL reached the query ("invalid byte sequence for encoding UTF8:
// 0x00", a 500), and cutting a long search at 200 UTF-16 units could leave half an emoji.
it("the Users search ignores a control character with a note, keeps whole characters when it cuts, and finds by what is left", async () => {
  expect(parseUserSearch("bob\u0000")).toEqual({ ignored: "The search can't contain control characters." });
  expect(parseUserSearch("   ")).toEqual({});
  const long = `${"a".repeat(USER_SEARCH_MAX - 1)}😀😀`;
  expect(parseUserSearch(long)).toEqual({ q: `${"a".repeat(USER_SEARCH_MAX - 1)}😀` });
  const person = await makeUser({ name: "Zoë Searchable 😀" });
  const { q } = parseUserSearch("  searchable 😀 ");
  expect((await searchUsers(q)).rows.map((r) => r.id)).toContain(person.id);
});
