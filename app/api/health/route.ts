import { checkDatabase } from "@/lib/db";
import { methodNotAllowed } from "@/lib/errors";

/** Liveness for Playwright's webServer and operators: 200 only when the database answers. */
export async function GET() {
  const database = await checkDatabase();
  return Response.json({ status: database ? "ok" : "degraded", database: database ? "up" : "down" }, { status: database ? 200 : 503 });
}

const notAllowed = methodNotAllowed(["GET", "HEAD"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
