import { randomUUID } from "node:crypto";
import { redirect } from "next/navigation";
import { beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { z } from "zod";
import type { AdminUser } from "@/lib/accounts/access";
import { requireAccess } from "@/lib/accounts/current-user";
import type { PublicUser } from "@/lib/accounts/users";
import { AppError } from "@/lib/errors";
import { formAction } from "@/lib/safe-action";

// The session is the one thing faked: requireAccess reads the request's cookie.
vi.mock("@/lib/accounts/current-user", () => ({ requireAccess: vi.fn() }));
const signedIn = vi.mocked(requireAccess);

const member: PublicUser = { id: randomUUID(), email: "member@example.com", name: "Member", role: "USER", createdAt: new Date() };
const admin: AdminUser = { ...member, id: randomUUID(), email: "admin@example.com", role: "ADMIN" };

/** requireAccess as it behaves with no session / a member's / an admin's. */
function sessionOf(user: PublicUser | null) {
  signedIn.mockImplementation(async (required) => {
    if (!user) throw new AppError("unauthorized", "Please log in to continue.");
    if (required === "ADMIN" && user.role !== "ADMIN") throw new AppError("forbidden", "You don't have permission to do that.");
    return user;
  });
}

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};

const schema = z.object({ email: z.email("Enter a valid email"), password: z.string().min(8, "Too short") });

beforeEach(() => {
  signedIn.mockReset();
});

describe("formAction access levels", () => {
  it("PUBLIC runs without looking at the session, with user null", async () => {
    const run = vi.fn(async (_input: unknown, { user }: { user: null }) => ({ ok: true, message: String(user) }));
    const action = formAction({ access: "PUBLIC", schema, run });
    expect(await action({ ok: false }, form({ email: "a@example.com", password: "long enough" }))).toEqual({ ok: true, message: "null" });
    expect(signedIn).not.toHaveBeenCalled();
  });

  it("ANY and USER need a session and hand the action that user", async () => {
    sessionOf(member);
    for (const access of ["ANY", "USER"] as const) {
      const action = formAction({ access, schema: z.object({}), run: async (_input, { user }) => ({ ok: true, message: user.email }) });
      expect(await action({ ok: false }, form({}))).toEqual({ ok: true, message: member.email });
    }
    sessionOf(null);
    const action = formAction({ access: "ANY", schema: z.object({}), run: async () => ({ ok: true }) });
    expect(await action({ ok: false }, form({}))).toEqual({ ok: false, formError: "Please log in to continue.", values: {} });
  });

  it("ADMIN refuses a member and someone signed out before running, and hands an admin to the action", async () => {
    const run = vi.fn(async (_input: object, { user }: { user: AdminUser }) => ({ ok: true, message: user.role }));
    const action = formAction({ access: "ADMIN", schema: z.object({}), run });
    sessionOf(null);
    expect(await action({ ok: false }, form({}))).toMatchObject({ ok: false, formError: "Please log in to continue." });
    sessionOf(member);
    expect(await action({ ok: false }, form({}))).toMatchObject({ ok: false, formError: "You don't have permission to do that." });
    expect(run).not.toHaveBeenCalled();
    sessionOf(admin);
    expect(await action({ ok: false }, form({}))).toEqual({ ok: true, message: "ADMIN" });
    expect(signedIn).toHaveBeenLastCalledWith("ADMIN");
  });

  it("types ctx.user by level: null, a user, an admin", () => {
    formAction({ access: "PUBLIC", schema, run: async (_i, { user }) => void expectTypeOf(user).toEqualTypeOf<null>() });
    formAction({ access: "ANY", schema, run: async (_i, { user }) => void expectTypeOf(user).toEqualTypeOf<PublicUser>() });
    formAction({ access: "USER", schema, run: async (_i, { user }) => void expectTypeOf(user).toEqualTypeOf<PublicUser>() });
    formAction({ access: "ADMIN", schema, run: async (_i, { user }) => void expectTypeOf(user).toEqualTypeOf<AdminUser>() });
  });
});

describe("formAction input and errors", () => {
  it("answers invalid fields per field and echoes only the fields it is told to (never the password)", async () => {
    const action = formAction({ access: "PUBLIC", schema, echo: ["email"], run: async () => ({ ok: true }) });
    const state = await action({ ok: false }, form({ email: "nope", password: "short", $ACTION_ID_abc: "x" }));
    expect(state).toEqual({ ok: false, fieldErrors: { email: ["Enter a valid email"], password: ["Too short"] }, values: { email: "nope" } });
  });

  it("passes parsed input and the raw form data (for files) to the action", async () => {
    const run = vi.fn(async () => undefined);
    const data = form({ email: " a@example.com", password: "long enough", $ACTION_REF_1: "x" });
    await formAction({ access: "PUBLIC", schema: z.object({ email: z.string().trim(), password: z.string() }), run })({ ok: false }, data);
    expect(run).toHaveBeenCalledWith({ email: "a@example.com", password: "long enough" }, { user: null, formData: data });
  });

  it("returns { ok: true } when the action returns nothing", async () => {
    expect(await formAction({ access: "PUBLIC", schema: z.object({}), run: async () => undefined })({ ok: false }, form({}))).toEqual({ ok: true });
  });

  it("shows an AppError's message, or its field errors, and keeps what was typed", async () => {
    const fails = (error: AppError) => formAction({ access: "PUBLIC", schema: z.object({ note: z.string() }), echo: ["note"], run: async () => { throw error; } });
    expect(await fails(new AppError("conflict", "Already resolved."))({ ok: false }, form({ note: "hi" }))).toEqual({ ok: false, formError: "Already resolved.", values: { note: "hi" } });
    expect(await fails(new AppError("unprocessable", "Bad note", { fieldErrors: { note: ["Say why"] } }))({ ok: false }, form({ note: "hi" }))).toEqual({
      ok: false,
      fieldErrors: { note: ["Say why"] },
      values: { note: "hi" },
    });
  });

  it("hides anything else behind a generic message and logs it", async () => {
    const logged = vi.mocked(console.error).mockImplementationOnce(() => {});
    const action = formAction({ access: "PUBLIC", schema: z.object({}), run: async () => { throw new Error("connection string with a password"); } });
    const state = await action({ ok: false }, form({}));
    expect(state).toEqual({ ok: false, formError: "Something went wrong on our side. Please try again.", values: {} });
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ message: "connection string with a password" }));
  });

  it("lets redirect() through", async () => {
    const action = formAction({ access: "PUBLIC", schema: z.object({}), run: async () => redirect("/account") });
    await expect(action({ ok: false }, form({}))).rejects.toMatchObject({ digest: expect.stringContaining("NEXT_REDIRECT") });
  });

  it("refuses something that is not a form", async () => {
    const action = formAction({ access: "PUBLIC", schema: z.object({}), run: async () => ({ ok: true }) });
    expect(await action({ ok: false }, "not a form" as unknown as FormData)).toEqual({ ok: false, formError: "This form could not be read. Reload the page and try again." });
  });
});
