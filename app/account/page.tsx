import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { AvatarForm } from "@/components/account/avatar-form";
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
        <dl className="grid grid-cols-[minmax(0,7rem)_minmax(0,1fr)] gap-x-4 gap-y-3 text-sm" data-testid="account-details">
          <dt className="text-slate-500">Name</dt>
          <dd className="break-words" data-testid="account-name">{user.name}</dd>
          <dt className="text-slate-500">Email</dt>
          <dd className="break-words" data-testid="account-email">{user.email}</dd>
          <dt className="text-slate-500">Role</dt>
          <dd>{user.role === "ADMIN" ? "Administrator" : "Member"}</dd>
          <dt className="text-slate-500">Member since</dt>
          <dd>
            <time dateTime={user.createdAt.toISOString()}>{user.createdAt.toUTCString()}</time>
          </dd>
        </dl>
      </Card>
      {setup ? (
        <Card title="Setting up your account" level={2}>
          <SetupProgress statusUrl={`/api/users/${user.id}/status`} initial={setup} />
        </Card>
      ) : null}
      <Card title="Avatar" level={2}>
        <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
          {/* The one picture of the avatar on this page (the header has its small copy). */}
          {setup?.avatarUrl ? (
            // eslint-disable-next-line @next/next/no-img-element -- our own processed WebP, already sized
            <img src={setup.avatarUrl} alt="Your avatar" width={96} height={96} className="h-24 w-24 shrink-0 rounded-full" data-testid="account-avatar" />
          ) : null}
          <div className="min-w-0 flex-1">
            <AvatarForm hasAvatar={Boolean(setup && setup.avatar !== "none")} />
          </div>
        </div>
      </Card>
      <Card title="Weekly digest" level={2}>
        <DigestPreferenceForm subscribed={digestSubscribed} />
      </Card>
      <Card title="Sessions" level={2}>
        <SignOutEverywhereForm />
      </Card>
    </div>
  );
}
