import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { openDeadLettersForUser } from "@/lib/dead-letters/queries";
import { isFunction } from "@/inngest/events";
import { plainText } from "@/lib/text";

// The admin Users page: find a person, see their background work and the failures about them.

export const USERS_PAGE = 50;

export type DirectoryUser = { id: string; email: string; name: string; role: "USER" | "ADMIN"; createdAt: Date };

export const USER_SEARCH_MAX = 200;
const userSearch = plainText(z.string(), "The search");

/**
 * The Users page's search box as typed: what to search for (trimmed, its first 200 characters —
 * whole ones, never half of an emoji), or why it was ignored. A NUL reached the query and was a
 * 500; any control character or half character is ignored with a note instead.
 */
export function parseUserSearch(raw: unknown): { q?: string; ignored?: string } {
  if (typeof raw !== "string" || !raw.trim()) return {};
  const parsed = userSearch.safeParse(Array.from(raw.trim()).slice(0, USER_SEARCH_MAX).join(""));
  return parsed.success ? { q: parsed.data } : { ignored: parsed.error.issues[0]?.message };
}

/** Newest first, or those whose email or name contains `q` (trigram indexes keep it fast). */
export async function searchUsers(q: string | undefined, cursor?: { at: Date; id: string }) {
  const and = [];
  if (q) and.push({ OR: [{ email: { contains: q, mode: "insensitive" as const } }, { name: { contains: q, mode: "insensitive" as const } }] });
  if (cursor) and.push({ OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] });
  const rows: DirectoryUser[] = await db.user.findMany({
    where: and.length ? { AND: and } : undefined,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: USERS_PAGE + 1,
    select: { id: true, email: true, name: true, role: true, createdAt: true },
  });
  const page = rows.slice(0, USERS_PAGE);
  const last = page.at(-1);
  return { rows: page, next: rows.length > USERS_PAGE && last ? { at: last.createdAt, id: last.id } : null };
}

export type WorkState = "done" | "in progress" | "failed" | "not started" | "off";

/**
 * One line of a person's background work. A new kind of work (email verification, say) is one
 * more entry in `backgroundWork` below: its state from the user's row or markers, and the
 * function whose dead letters belong to it.
 */
export type WorkItem = {
  key: string;
  label: string;
  state: WorkState;
  detail: string;
  /** The function's id without the app prefix the executor adds ("user.welcome-email"). */
  functionId: string;
  /** Dead letters about this user from that function, and the full id to filter the list by. */
  deadLetters: { open: number; total: number; functionId: string | null };
};

export async function getUserOverview(id: string) {
  const user = await db.user.findUnique({
    where: { id },
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      createdAt: true,
      emailVerifiedAt: true,
      welcomeEmailStatus: true,
      avatarStatus: true,
      digestOptOut: true,
      _count: { select: { sessions: { where: { expiresAt: { gt: new Date() } } } } },
      deliveries: { orderBy: { sentAt: "desc" }, take: 20, select: { kind: true, sentAt: true } },
    },
  });
  if (!user) return null;
  const letters = await openDeadLettersForUser(id);
  const lettersFor = (fn: string) => {
    for (const [functionId, counts] of letters) if (isFunction(functionId, fn)) return { ...counts, functionId };
    return { open: 0, total: 0, functionId: null };
  };
  const sent = (kind: (k: string) => boolean) => user.deliveries.find((d) => kind(d.kind));
  const welcome = sent((k) => k === "welcome");
  const digest = sent((k) => k.startsWith("digest:"));
  const stamp = (d?: { sentAt: Date }) => (d ? ` on ${d.sentAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "");

  const work: WorkItem[] = [
    {
      key: "welcome-email",
      label: "Welcome email",
      functionId: "user.welcome-email",
      // Nothing is sent to an address before it is verified: until then the welcome email waits.
      ...(!user.emailVerifiedAt && user.welcomeEmailStatus === "QUEUED"
        ? ({ state: "not started", detail: "Waits for the address to be verified" } as const)
        : ({ QUEUED: { state: "in progress", detail: "Queued or being retried" }, SENT: { state: "done", detail: `Sent${stamp(welcome)}` }, FAILED: { state: "failed", detail: "Could not be sent" } } as const)[user.welcomeEmailStatus]),
      deadLetters: lettersFor("user.welcome-email"),
    },
    {
      key: "avatar",
      label: "Avatar",
      functionId: "user.avatar-process",
      ...({ NONE: { state: "not started", detail: "No avatar uploaded" }, PROCESSING: { state: "in progress", detail: "Being resized" }, READY: { state: "done", detail: "Resized and shown" }, FAILED: { state: "failed", detail: "The image could not be processed" } } as const)[user.avatarStatus],
      deadLetters: lettersFor("user.avatar-process"),
    },
    {
      key: "digest",
      label: "Weekly digest",
      functionId: "digest.send",
      state: user.digestOptOut ? "off" : digest ? "done" : "not started",
      detail: user.digestOptOut ? "Opted out" : digest ? `Last sent for ${digest.kind.slice("digest:".length)}${stamp(digest)}` : "Subscribed; none sent yet",
      deadLetters: lettersFor("digest.send"),
    },
  ];
  return { user: { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt }, sessions: user._count.sessions, work };
}
