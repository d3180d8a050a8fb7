import { after } from "next/server";
import { setSessionCookie } from "@/lib/accounts/current-user";
import { toErrorResponse } from "@/lib/errors";
import { readSignUpRequest } from "@/lib/accounts/sign-up-request";
import { relayOutbox } from "@/lib/outbox/relay";
import { registerUser } from "@/lib/accounts/registration";

/**
 * Sign-up for API clients: 202 Accepted once the user, session and outbox rows are committed; the
 * welcome email and avatar resize happen in the background (poll `statusUrl`).
 */
export async function POST(request: Request) {
  const started = performance.now();
  try {
    const input = await readSignUpRequest(request);
    const registration = await registerUser(input);
    await setSessionCookie(registration.sessionToken, registration.sessionExpiresAt);
    // After the response: hand the events to the executor. If that fails, the sweeper does it.
    after(() => relayOutbox({ ids: registration.outboxIds }));
    const statusUrl = `/api/users/${registration.userId}/status`;
    return Response.json(
      { id: registration.userId, status: "accepted", statusUrl },
      // Server-Timing: how long the request path took, for the bench and browser dev tools.
      { status: 202, headers: { location: statusUrl, "server-timing": `app;dur=${(performance.now() - started).toFixed(1)}` } },
    );
  } catch (error) {
    return toErrorResponse(error);
  }
}
