import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { requirePageAccess } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const user = await requirePageAccess("ANY", "/account");
  return (
    <div className="mx-auto max-w-lg">
      <Card title="Your account">
        <dl className="grid grid-cols-[8rem_1fr] gap-y-3 text-sm" data-testid="account-details">
          <dt className="text-slate-500">Name</dt>
          <dd data-testid="account-name">{user.name}</dd>
          <dt className="text-slate-500">Email</dt>
          <dd data-testid="account-email">{user.email}</dd>
          <dt className="text-slate-500">Role</dt>
          <dd>{user.role === "ADMIN" ? "Administrator" : "Member"}</dd>
          <dt className="text-slate-500">Member since</dt>
          <dd>
            <time dateTime={user.createdAt.toISOString()}>{user.createdAt.toUTCString()}</time>
          </dd>
        </dl>
      </Card>
    </div>
  );
}
