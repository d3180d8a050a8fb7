import { z } from "zod";
import { requireAccess } from "@/lib/accounts/current-user";
import { getSetupStatus } from "@/lib/accounts/setup-status";
import { AppError, toErrorResponse, methodNotAllowed } from "@/lib/errors";

/** Progress of a user's background work: for that user and for admins only. */
export async function GET(_request: Request, { params }: RouteContext<"/api/users/[id]/status">) {
  try {
    const viewer = await requireAccess("ANY");
    const id = z.uuid().safeParse((await params).id);
    if (!id.success) throw new AppError("not_found", "No such user.");
    if (viewer.id !== id.data && viewer.role !== "ADMIN") throw new AppError("not_found", "No such user.");
    const status = await getSetupStatus(id.data);
    if (!status) throw new AppError("not_found", "No such user.");
    return Response.json(status, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return toErrorResponse(error);
  }
}

const notAllowed = methodNotAllowed(["GET", "HEAD"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
