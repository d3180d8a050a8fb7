"use server";
import { redirect } from "next/navigation";
import { endSession } from "@/lib/accounts/current-user";

export async function logOutAction(): Promise<void> {
  await endSession();
  redirect("/login");
}
