import type { Metadata } from "next";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/site-header";
import { getCurrentUser } from "@/lib/accounts/current-user";
import { getSetupStatus } from "@/lib/accounts/setup-status";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Signup Jobs", template: "%s · Signup Jobs" },
  description: "Sign up in a browser; the slow work happens in the background.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  const avatarUrl = user ? ((await getSetupStatus(user.id))?.avatarThumbUrl ?? null) : null;
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <SiteHeader user={user ? { name: user.name, email: user.email, role: user.role, avatarUrl } : null} />
        {/* Admin pages are tables and charts: they take the width of the screen (data-wide on their layout). */}
        <main className="mx-auto w-full max-w-4xl px-4 py-10 has-[>[data-wide]]:max-w-[100rem]">{children}</main>
      </body>
    </html>
  );
}
