import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { SetupProgress } from "@/components/account/setup-progress";
import { DigestPreferenceForm } from "@/components/account/digest-preference-form";
import { SignOutEverywhereForm } from "@/components/account/sign-out-everywhere-form";
import { requirePageAccess } from "@/lib/accounts/current-user";
import { getSetupStatus } from "@/lib/accounts/setup-status";
import { getDigestSubscribed } from "@/lib/digest/subscription";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const user = await requirePageAccess("ANY", "/account");
  const [setup, digestSubscribed] = await Promise.all([getSetupStatus(user.id), getDigestSubscribed(user.id)]);
  return (
    <div className="mx-auto flex max-w-lg flex-col gap-6">
      <Card title="Your account">
        <div className="flex items-start gap-6">
          {setup?.avatarUrl ? (
            // eslint-disable-next-line @next/next/no-img-element -- our own processed WebP, already sized
            <img src={setup.avatarUrl} alt="" width={96} height={96} className="h-24 w-24 rounded-full" data-testid="account-avatar" />
          ) : null}
          <dl className="grid flex-1 grid-cols-[8rem_1fr] gap-y-3 text-sm" data-testid="account-details">
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
        </div>
      </Card>
      {setup ? (
        <Card title="Setting up your account">
          <SetupProgress statusUrl={`/api/users/${user.id}/status`} initial={setup} />
        </Card>
      ) : null}
      <Card title="Weekly digest">
        <DigestPreferenceForm subscribed={digestSubscribed} />
      </Card>
      <Card title="Sessions">
        <SignOutEverywhereForm />
      </Card>
    </div>
  );
}
