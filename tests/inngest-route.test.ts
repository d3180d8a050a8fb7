// /api/inngest before the SDK sees a request: a body that is not JSON gets a 400 with a message,
// never the SDK's 500 (it parses any non-empty body before checking the signature).
import { describe, expect, it } from "vitest";

const { POST, PUT } = await import("@/app/api/inngest/route");

const call = (handler: typeof POST, body: string) =>
  handler(new Request("http://127.0.0.1:3100/api/inngest?fnId=x&stepId=step", { method: "POST", headers: { "content-type": "application/json" }, body }), {});

describe("/api/inngest refuses bodies that are not JSON", () => {
  for (const [name, body] of [
    ["whitespace only (found by npm run abuse: the SDK parsed it and answered 500)", "  \n\t"],
    ["cut short", '{"event":'],
    ["not JSON at all", "hello"],
  ] as const) {
    it(`${name}: 400 with a message, for POST and PUT`, async () => {
      for (const handler of [POST, PUT]) {
        const response = await call(handler, body);
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: { code: "bad_request", message: "The request body is not valid JSON." } });
      }
    });
  }
});
