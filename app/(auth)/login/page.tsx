import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { LogInForm } from "@/components/auth/log-in-form";
import { getCurrentUser } from "@/lib/accounts/current-user";
import { safeNextPath } from "@/lib/accounts/schemas";

export const metadata: Metadata = { title: "Log in" };

export default async function LogInPage({ searchParams }: PageProps<"/login">) {
  const { next } = await searchParams;
  const nextPath = safeNextPath(typeof next === "string" ? next : undefined);
  if (await getCurrentUser()) redirect(nextPath);
  return (
    <div className="mx-auto max-w-md">
      <Card title="Log in" footer={<>New here? <Link href="/signup" className="font-medium text-indigo-600">Create an account</Link></>}>
        <LogInForm next={nextPath} />
      </Card>
    </div>
  );
}
