import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { LogInLinks } from "@/components/ui/log-in-links";
import { VerifyEmailForm } from "@/components/auth/verify-email-form";
import { LINK_PROBLEMS } from "@/lib/accounts/schemas";
import { checkVerificationToken } from "@/lib/accounts/verification";

export const metadata: Metadata = { title: "Confirm your email", referrer: "no-referrer" };

/** The verification link's page. Opening it changes nothing; the button does (see VerifyEmailForm). */
export default async function VerifyEmailPage({ searchParams }: PageProps<"/verify-email">) {
  const { token } = await searchParams;
  const check = checkVerificationToken(typeof token === "string" ? token : undefined);
  if (!check.ok) {
    return (
      <div className="mx-auto max-w-md">
        <Card title="This link doesn't work">
          <p className="text-sm text-slate-700" data-testid="link-problem">
            <LogInLinks text={LINK_PROBLEMS[check.reason]} />
          </p>
        </Card>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-md">
      <Card title="Confirm your email">
        <div className="flex flex-col gap-4">
          <p className="text-sm text-slate-700">One click and your account is ready: you&apos;ll be logged in and taken to it.</p>
          <VerifyEmailForm token={token as string} />
        </div>
      </Card>
    </div>
  );
}
