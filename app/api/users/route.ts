import { after } from "next/server";
import { env } from "@/lib/env";
import { toErrorResponse, methodNotAllowed } from "@/lib/errors";
import { assertSameSite } from "@/lib/request-guards";
import { readSignUpRequest } from "@/lib/accounts/sign-up-request";
import { relayOutbox } from "@/lib/outbox/relay";
import { acceptSignUp, SIGN_UP_ACCEPTED_MESSAGE } from "@/lib/accounts/registration";
import { clientSubject } from "@/lib/accounts/client-ip";
import { enforceLimits } from "@/lib/accounts/rate-limit";
import { signUpLimits } from "@/lib/accounts/limits";
import { setPendingSignUp } from "@/lib/accounts/pending-sign-up";

/**
 * Sign-up for API clients: 202 Accepted once the attempt (and, for a new address, the unverified
 * account) and its outbox event are committed. The answer is the same whether or not the address
 * has an account; `statusUrl` (with the pending sign-up cookie set here) says when the email is out.
 * Nobody is logged in: the link in the email does that.
 */
export async function POST(request: Request) {
  const started = performance.now();
  try {
    assertSameSite(request, env.APP_URL);
    const input = await readSignUpRequest(request);
    await enforceLimits(signUpLimits(await clientSubject(), input.email));
    const accepted = await acceptSignUp(input);
    await setPendingSignUp({ email: accepted.email, attemptId: accepted.attemptId });
    // After the response: hand the events to the executor. If that fails, the sweeper does it.
    after(async () => {
      await relayOutbox({ ids: accepted.outboxIds });
      await accepted.afterResponse();
    });
    const statusUrl = "/api/sign-up/status";
    const total = performance.now() - started;
    return Response.json(
      { status: "accepted", message: SIGN_UP_ACCEPTED_MESSAGE, statusUrl },
      {
        status: 202,
        headers: {
          location: statusUrl,
          // Server-Timing: the password hash apart from the rest of the request path (npm run bench reads both).
          "server-timing": `hash;dur=${accepted.hashMs.toFixed(1)}, app;dur=${total.toFixed(1)}`,
        },
      },
    );
  } catch (error) {
    return toErrorResponse(error);
  }
}

const notAllowed = methodNotAllowed(["POST"]);
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
