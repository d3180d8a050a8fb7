// Pure pieces of flow control: reading the four config fields at sync (bounds and refusals, named),
// and key expressions with a missing field (notes §12).
import { describe, expect, test } from "vitest";
import { compile } from "../src/cel";
import { parsePeriodMs } from "../src/flow-control/config";
import { evaluateFlowKey } from "../src/flow-control/keys";
import { compileFunction } from "../src/functions";
import type { EventPayload } from "../src/types";

const base = (extra: Record<string, unknown>) => ({
  id: "app-fn",
  name: "fn",
  triggers: [{ event: "a/b" }],
  steps: { step: { id: "step", name: "step", runtime: { type: "http", url: "http://h/api/inngest?fnId=app-fn&stepId=step" } } },
  ...extra,
});
const flowOf = (extra: Record<string, unknown>) => compileFunction(base(extra), "app").flow;
const event = (data: Record<string, unknown>): EventPayload => ({ id: "e1", name: "a/b", data, ts: 0, user: {} });

describe("flow-control config", () => {
  test("periods as the SDK sends them", () => {
    expect(parsePeriodMs("1m")).toBe(60_000);
    expect(parsePeriodMs("1h30m")).toBe(5_400_000);
    expect(parsePeriodMs("2d")).toBe(172_800_000);
    expect(parsePeriodMs("60s")).toBe(60_000);
    expect(parsePeriodMs("")).toBeNull();
    expect(parsePeriodMs("1 minute")).toBeNull();
  });

  test("no flow control → undefined; each field compiled with its defaults", () => {
    expect(flowOf({})).toBeUndefined();
    expect(flowOf({ throttle: { limit: 10, period: "1m" } })?.throttle).toMatchObject({ limit: 10, periodMs: 60_000, burst: 0 });
    expect(flowOf({ throttle: { limit: 1, period: "1s", burst: 2, key: "event.data.p" } })?.throttle?.key?.source).toBe("event.data.p");
    expect(flowOf({ rateLimit: { limit: 5, period: "24h" } })?.rateLimit).toMatchObject({ limit: 5, periodMs: 86_400_000 });
    expect(flowOf({ debounce: { period: "5s", timeout: "1m" } })?.debounce).toMatchObject({ periodMs: 5000, timeoutMs: 60_000 });
    expect(flowOf({ batchEvents: { maxSize: 100, timeout: "60s", if: "event.data.x == 1" } })?.batch).toMatchObject({ maxSize: 100, timeoutMs: 60_000 });
  });

  test.each([
    [{ throttle: { limit: 0, period: "1m" } }, /throttle\.limit/],
    [{ throttle: { limit: 1, period: "500ms" } }, /throttle\.period "500ms" must be a duration between 1s and 7d/],
    [{ throttle: { limit: 1, period: "8d" } }, /throttle\.period/],
    [{ throttle: { limit: 1, period: "1m", extra: 1 } }, /Unrecognized key/],
    [{ rateLimit: { limit: 1, period: "25h" } }, /rateLimit\.period "25h" must be a duration between 1s and 24h/],
    [{ debounce: { period: "0s" } }, /debounce\.period/],
    [{ debounce: { period: "1s", key: "size(event.data.x)" } }, /unsupported debounce\.key expression/],
    [{ batchEvents: { maxSize: 101, timeout: "1s" } }, /batchEvents\.maxSize 101 must be between 1 and 100/],
    [{ batchEvents: { maxSize: 10, timeout: "nope" } }, /batchEvents\.timeout/],
    [{ batchEvents: { maxSize: 10, timeout: "5s" }, debounce: { period: "5s" } }, /"batchEvents" cannot be combined with "debounce"/],
  ])("%j is refused at sync, naming the function and field", (extra, message) => {
    expect(() => compileFunction(base(extra), "app")).toThrow(/function "app-fn"/);
    expect(() => compileFunction(base(extra), "app")).toThrow(message);
  });
});

describe("flow-control keys (missing field ≠ null)", () => {
  test.each([
    ["event.data.user", { user: "u1" }, { missing: false, value: "u1" }],
    ["event.data.user", { user: 42 }, { missing: false, value: "42" }],
    ["event.data.user", { user: null }, { missing: false, value: "null" }],
    ["event.data.user", {}, { missing: true }],
    ["event.data.a.b", { a: {} }, { missing: true }],
    ["event.data.a.b", {}, { missing: true }],
    ["event.data.list[1]", { list: ["x"] }, { missing: true }],
    ["event.data.list[0]", { list: ["x"] }, { missing: false, value: "x" }],
    ["event.data.obj", { obj: { k: 1 } }, { missing: false, value: '{"k":1}' }],
    ["'org-' + event.data.org", { org: "o1" }, { missing: false, value: "org-o1" }],
    ["event.name", {}, { missing: false, value: "a/b" }],
  ])("%s with %j → %j", (src, data, want) => {
    expect(evaluateFlowKey(compile(src), event(data))).toEqual(want);
  });
});
