import { checkDatabase } from "@/lib/db";

/** Liveness for Playwright's webServer and operators: 200 only when the database answers. */
export async function GET() {
  const database = await checkDatabase();
  return Response.json({ status: database ? "ok" : "degraded", database: database ? "up" : "down" }, { status: database ? 200 : 503 });
}
