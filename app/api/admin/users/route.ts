import { requireAccess } from "@/lib/accounts/current-user";
import { listRecentUsers } from "@/lib/accounts/users";
import { toErrorResponse, methodNotAllowed } from "@/lib/errors";

/** Newest accounts, for admins (401 without a session, 403 for members). */
export async function GET() {
  try {
    await requireAccess("ADMIN");
    const users = await listRecentUsers(50);
    return Response.json({ users });
  } catch (error) {
    return toErrorResponse(error);
  }
}

const notAllowed = methodNotAllowed(["GET", "HEAD"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
