// The e2e stack is production as deployed against a self-hosted Inngest: `next start`, the app in
// Inngest cloud mode with real keys (made per run), the engine in signed mode. Here the production
// build's /api/inngest is called directly: only a request signed with the app's key, within the
// 5-minute window, runs anything. The signature is computed here independently of the engine
// (HMAC-SHA256, key = signing key without `signkey-<env>-` as text, message = JCS body + t).
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { E2E } from "./config";
import { expect, test } from "./fixtures";
import { engineAuth, inngestKeys } from "./inngest-keys";

const APP = `http://127.0.0.1:${E2E.appPort}`;
const ENGINE = `http://127.0.0.1:${E2E.enginePort}`;
const SWEEP = "signup-app-outbox.sweep";

function sign(body: string, signingKey: string, atMs = Date.now()): string {
  const t = String(Math.floor(atMs / 1000));
  const s = createHmac("sha256", signingKey.replace(/^signkey-\w+-/, "")).update(body + t).digest("hex");
  return `t=${t}&s=${s}`;
}

/**
 * A first step request for the outbox sweep, as an executor sends it. Every object's keys are
 * written in sorted order, so JSON.stringify gives the JCS form the SDK verifies against.
 */
function sweepRequest(runId: string): string {
  const event = { data: {}, id: `e2e-${runId}`, name: "outbox/sweep.requested", ts: Date.now() };
  return JSON.stringify({
    ctx: { attempt: 0, disable_immediate_execution: false, max_attempts: 5, run_id: runId, stack: { current: 0, stack: [] }, use_api: false },
    event,
    events: [event],
    steps: {},
    version: 2,
  });
}

test("the app runs in Inngest cloud mode against the engine: introspection needs a signature and shows the engine's URL", async ({ request }) => {
  const { signingKey } = inngestKeys();
  // In dev mode the SDK would answer anyone; in cloud mode an unsigned GET is refused.
  const open = await request.get(`${APP}/api/inngest`);
  expect(open.status()).toBe(401);
  expect(await open.json()).toEqual({ message: "Unauthorized" });

  const signed = await request.get(`${APP}/api/inngest`, { headers: { "x-inngest-signature": sign("", signingKey) } });
  expect(signed.status()).toBe(200);
  const details = (await signed.json()) as Record<string, unknown>;
  expect(details).toMatchObject({ mode: "cloud", authentication_succeeded: true, app_id: "signup-app", has_signing_key: true, has_event_key: true });
  // INNGEST_BASE_URL points the SDK's API and event calls at the engine (no INNGEST_DEV).
  expect(new URL(String(details.api_origin)).origin).toBe(ENGINE);
  expect(new URL(String(details.event_api_origin)).origin).toBe(ENGINE);
});

test("unsigned, wrongly signed and expired step requests get 401 and run nothing; a correctly signed one runs", async ({ request, db }) => {
  const { signingKey } = inngestKeys();
  const otherKey = `signkey-test-${randomBytes(32).toString("hex")}`;
  const post = (body: string, signature?: string) =>
    request.post(`${APP}/api/inngest?fnId=${SWEEP}&stepId=step`, {
      headers: { "content-type": "application/json", ...(signature ? { "x-inngest-signature": signature } : {}) },
      data: body,
    });
  const recorded = async (runId: string) => (await db.query("select 1 from scheduled_runs where run_id = $1", [runId])).rowCount;

  const ids = { unsigned: randomUUID(), wrongKey: randomUUID(), expired: randomUUID(), otherBody: randomUUID(), signed: randomUUID() };
  try {
    const cases = [
      ["unsigned", await post(sweepRequest(ids.unsigned))],
      ["signed with another key", await post(sweepRequest(ids.wrongKey), sign(sweepRequest(ids.wrongKey), otherKey))],
      // A captured request replayed once the window has passed: its signature is 301 s old.
      ["replayed after expiry", await post(sweepRequest(ids.expired), sign(sweepRequest(ids.expired), signingKey, Date.now() - 301_000))],
      ["signature of another body", await post(sweepRequest(ids.otherBody), sign(sweepRequest(ids.signed), signingKey))],
    ] as const;
    for (const [what, res] of cases) {
      expect(res.status(), what).toBe(401);
      expect(await res.json(), what).toEqual({ message: "Unauthorized" });
      // The SDK leaves its identification headers off an unauthenticated answer.
      expect(res.headers()["x-inngest-sdk"], what).toBeUndefined();
    }
    for (const id of [ids.unsigned, ids.wrongKey, ids.expired, ids.otherBody]) expect(await recorded(id)).toBe(0);

    const body = sweepRequest(ids.signed);
    const ok = await post(body, sign(body, signingKey));
    // 206: the function ran its first step (record-start) and reports it.
    expect(ok.status()).toBe(206);
    expect((await ok.json()) as unknown[]).toEqual([expect.objectContaining({ op: "StepRun", name: "record-start" })]);
    expect(ok.headers()["x-inngest-signature"]).toMatch(/^t=\d+&s=[0-9a-f]{64}$/);
    expect(await recorded(ids.signed)).toBe(1);
  } finally {
    await db.query("delete from scheduled_runs where run_id = any($1)", [Object.values(ids)]);
  }
});

test("the engine refuses events without the event key and its read API without the signing key", async ({ request }) => {
  const { eventKey } = inngestKeys();
  const wrong = await request.post(`${ENGINE}/e/not-the-key`, { data: [{ name: "outbox/sweep.requested", data: {} }] });
  expect(wrong.status()).toBe(401);
  expect(await wrong.json()).toEqual({ ids: [], status: 401, error: "Event key not found" });

  const sent = await request.post(`${ENGINE}/e/${eventKey}`, { data: [{ name: "e2e/nobody-listens", data: {} }] });
  expect(sent.status()).toBe(200);
  const [id] = ((await sent.json()) as { ids: string[] }).ids;
  expect((await request.get(`${ENGINE}/v1/events/${id}/runs`)).status()).toBe(401);
  expect((await request.get(`${ENGINE}/v1/events/${id}/runs`, { headers: engineAuth() })).status()).toBe(200);
  // JSON endpoints take JSON only: a form post from a page is refused before the key is even read.
  const form = await request.post(`${ENGINE}/e/${eventKey}`, { headers: { "content-type": "text/plain" }, data: '[{"name":"e2e/forged"}]' });
  expect(form.status()).toBe(415);
});
