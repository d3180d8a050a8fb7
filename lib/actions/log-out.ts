"use server";
import { redirect } from "next/navigation";
import { endSession } from "@/lib/auth/session";

export async function logOutAction(): Promise<void> {
  await endSession();
  redirect("/login");
}
