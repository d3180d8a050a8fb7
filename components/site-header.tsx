import Link from "next/link";
import { logOutAction } from "@/lib/accounts/actions/log-out";

type HeaderUser = { name: string; email: string; role: "USER" | "ADMIN"; avatarUrl: string | null } | null;

export function SiteHeader({ user }: { user: HeaderUser }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav className="mx-auto flex max-w-4xl items-center justify-between gap-4 px-4 py-3" aria-label="Main">
        <Link href="/" className="font-semibold text-slate-900">
          Signup&nbsp;Jobs
        </Link>
        <div className="flex items-center gap-4 text-sm">
          {user ? (
            <>
              {user.role === "ADMIN" ? (
                <Link href="/admin" className="text-slate-700 hover:text-slate-900">
                  Admin
                </Link>
              ) : null}
              <Link href="/account" className="flex items-center gap-2 text-slate-700 hover:text-slate-900">
                {user.avatarUrl ? (
                  // eslint-disable-next-line @next/next/no-img-element -- our own processed 64 px WebP
                  <img src={user.avatarUrl} alt="" width={28} height={28} className="h-7 w-7 rounded-full" data-testid="header-avatar" />
                ) : null}
                <span data-testid="header-account">{user.name}</span>
              </Link>
              <form action={logOutAction}>
                <button type="submit" className="text-slate-500 hover:text-slate-900">
                  Log out
                </button>
              </form>
            </>
          ) : (
            <>
              <Link href="/login" className="text-slate-700 hover:text-slate-900">
                Log in
              </Link>
              <Link href="/signup" className="rounded-lg bg-indigo-600 px-3 py-1.5 font-semibold text-white hover:bg-indigo-500">
                Sign up
              </Link>
            </>
          )}
        </div>
      </nav>
    </header>
  );
}
