import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { getCurrentUser } from "@/lib/accounts/current-user";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage() {
  if (await getCurrentUser()) redirect("/account");
  return (
    <div className="mx-auto max-w-md">
      <Card title="Create your account" footer={<>Already have an account? <Link href="/login" className="font-medium text-indigo-600">Log in</Link></>}>
        <SignUpForm />
      </Card>
    </div>
  );
}
