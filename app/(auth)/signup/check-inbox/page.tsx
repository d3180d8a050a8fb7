import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { PendingEmailProgress } from "@/components/auth/pending-email-progress";
import { ResendVerificationForm } from "@/components/auth/resend-verification-form";
import { getCurrentUser } from "@/lib/accounts/current-user";
import { getPendingSignUp } from "@/lib/accounts/pending-sign-up";
import { pendingSignUpStatus } from "@/lib/accounts/sign-up-attempts";

export const metadata: Metadata = { title: "Check your inbox" };

/**
 * Where every sign-up lands, new address or not: the address, the live progress of the email,
 * and "send it again". The link in the email finishes signing up.
 */
export default async function CheckInboxPage() {
  if (await getCurrentUser()) redirect("/account");
  const pending = await getPendingSignUp();
  if (!pending) {
    return (
      <div className="mx-auto max-w-md">
        <Card title="Check your inbox" footer={<>Already confirmed? <Link href="/login" className="font-medium text-indigo-600">Log in</Link></>}>
          <p className="text-sm text-slate-700">
            This page follows a sign-up for an hour. To get a new link, <Link href="/login" className="font-medium text-indigo-600">log in</Link> or{" "}
            <Link href="/signup" className="font-medium text-indigo-600">sign up again</Link>.
          </p>
        </Card>
      </div>
    );
  }
  const status = await pendingSignUpStatus(pending);
  return (
    <div className="mx-auto max-w-md">
      <Card title="Check your inbox" footer={<>Already confirmed? <Link href="/login" className="font-medium text-indigo-600">Log in</Link></>}>
        <div className="flex flex-col gap-5">
          <PendingEmailProgress key={pending.attemptId ?? "idle"} email={pending.email} initial={status} />
          <p className="text-sm text-slate-700">Open the link in the email to finish signing up. It works once, and you&apos;ll be logged in.</p>
          <p className="text-sm text-slate-500">Nothing after a few minutes? Check your spam folder, or:</p>
          <ResendVerificationForm />
        </div>
      </Card>
    </div>
  );
}
