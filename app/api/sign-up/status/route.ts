import { AppError, toErrorResponse, methodNotAllowed } from "@/lib/errors";
import { getPendingSignUp } from "@/lib/accounts/pending-sign-up";
import { pendingSignUpStatus } from "@/lib/accounts/sign-up-attempts";

/**
 * What the "check your inbox" page polls: whether the email for this browser's pending sign-up
 * (its signed cookie) is out. The same states for every address: sending, retrying, sent, failed.
 */
export async function GET() {
  try {
    const pending = await getPendingSignUp();
    if (!pending) throw new AppError("not_found", "There is no sign-up waiting in this browser.");
    return Response.json({ email: pending.email, status: await pendingSignUpStatus(pending) }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return toErrorResponse(error);
  }
}

const notAllowed = methodNotAllowed(["GET", "HEAD"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
