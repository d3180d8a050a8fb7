import "server-only";
import { db } from "@/lib/db";

export async function checkDatabase(): Promise<boolean> {
  try {
    await db.$queryRaw`select 1`;
    return true;
  } catch {
    return false;
  }
}
