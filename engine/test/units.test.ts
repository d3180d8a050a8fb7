// Pure pieces: the CEL subset, the backoff table, retry-after clipping, sleep durations, ULIDs,
// reading the SDK's responses, and the shape of the engine's import graph.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { backoffMs, retryAfterMs, tableMs } from "../src/backoff";
import { CelError, compile, evaluateKey, matches } from "../src/cel";
import { sleepDelayMs } from "../src/duration";
import { compileFunction, parseCron, SyncError } from "../src/functions";
import { interpret } from "../src/sdk-call";
import { seededUlid, ulid } from "../src/ulid";

const ev = (data: Record<string, unknown>, name = "x/y") => ({ event: { name, data, id: "e1" } });

describe("cel subset", () => {
  test.each([
    ["event.data.userId > 0", { userId: 7 }, true],
    ["event.data.userId > 0", { userId: -1 }, false],
    ["event.data.userId >= 7 && event.data.userId <= 7", { userId: 7 }, true],
    ["event.data.plan == 'pro' || event.data.plan == \"team\"", { plan: "team" }, true],
    ["!(event.data.flag == true)", { flag: false }, true],
    ["event.data.a != null", { a: 1 }, true],
    ["event.data.a == null", {}, true], // missing reads as null (documented deviation)
    ["event.data.nested.deep == 'x'", { nested: { deep: "x" } }, true],
    ['event.data["user-id"] == 3', { "user-id": 3 }, true],
    ["event.data.n < 'a'", { n: 1 }, false], // mixed types never order
    ["event.data.n == -2", { n: -2 }, true],
    ["event.data.s < 'b'", { s: "a" }, true],
  ])("%s with %j → %s", (src, data, want) => {
    expect(matches(compile(src), ev(data))).toBe(want);
  });

  test("failure-handler expression from the SDK", () => {
    const c = compile("event.data.function_id == 'app-flaky'");
    expect(matches(c, ev({ function_id: "app-flaky" }))).toBe(true);
    expect(matches(c, ev({ function_id: "app-other" }))).toBe(false);
  });

  test("key expressions: paths and string concatenation", () => {
    const key = (src: string, data: Record<string, unknown>) => evaluateKey(compile(src), ev(data));
    expect(key("event.data.userId", { userId: "u1" })).toEqual({ missing: false, key: "u1", isNull: false });
    expect(key("event.data.userId", { userId: 42 })).toMatchObject({ key: "42" });
    expect(key('event.data.userId + "-" + event.data.kind', { userId: 1, kind: "w" })).toMatchObject({ key: "1-w" });
  });

  test("key expressions follow Inngest on a missing field (notes §12): unknown, not null", () => {
    const key = (src: string, data: Record<string, unknown>) => evaluateKey(compile(src), ev(data));
    expect(key("event.data.userId", {})).toEqual({ missing: true });
    expect(key("event.data.a.b", { a: {} })).toEqual({ missing: true });
    expect(key("event.data.userId", { userId: null })).toEqual({ missing: false, key: "null", isNull: true });
    // Concatenation drops the unknown part; `unknown == null` is true, other comparisons false.
    expect(key("'u-' + event.data.missing", {})).toMatchObject({ key: "u-" });
    expect(key("event.data.missing == null", {})).toMatchObject({ key: "true" });
    expect(key("event.data.missing != 'x'", {})).toMatchObject({ key: "false" });
    // Trigger filters keep reading a missing field as null.
    expect(matches(compile("event.data.missing != 'x'"), ev({}))).toBe(true);
  });

  test.each([
    "size(event.data.items) > 2",
    "event.data.items.exists(i, i > 1)",
    "event.data.x in [1, 2]",
    "has(event.data.x)",
    "event.data.a - 1 > 0",
    "async.data.x == event.data.x",
    "event.data.x > 1 > 0",
    "event.data.x ==",
    "event.data.x ? 1 : 2",
    "",
  ])("rejected at compile: %s", (src) => {
    expect(() => compile(src)).toThrow(CelError);
  });
});

describe("backoff", () => {
  test("Inngest's table indexed by the failed attempt, capped at 2 h, plus 0–30 s jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15].map(tableMs)).toEqual(
      [15, 30, 60, 120, 300, 600, 1200, 2400, 3600, 7200, 7200, 7200].map((s) => s * 1000),
    );
    expect(backoffMs(0, () => 0)).toBe(15_000);
    expect(backoffMs(0, () => 0.999999)).toBe(15_000 + 29_999);
    expect(backoffMs(2, () => 0.5)).toBe(60_000 + 15_000);
  });

  test("retry-after: seconds or a date, clipped to [1 s, 24 h]", () => {
    const now = Date.parse("2026-11-29T00:00:00Z");
    expect(retryAfterMs("90", now)).toBe(90_000);
    expect(retryAfterMs("0", now)).toBe(1000);
    expect(retryAfterMs("999999", now)).toBe(86_400_000);
    expect(retryAfterMs("2026-11-29T00:05:00Z", now)).toBe(300_000);
    expect(retryAfterMs("2026-11-28T00:00:00Z", now)).toBe(1000);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});

describe("sleep durations (op.name)", () => {
  const now = Date.parse("2026-11-29T00:00:00Z");
  test.each([
    ["30s", 30_000],
    ["1d2h30m10s", 86_400_000 + 7_200_000 + 1_800_000 + 10_000],
    ["1w", 604_800_000],
    ["2026-11-29T00:01:00.000Z", 60_000],
    ["2026-11-28T00:00:00.000Z", 0],
  ])("%s → %d ms", (spec, ms) => {
    expect(sleepDelayMs(spec, now)).toBe(ms);
  });
  test("unreadable → null", () => expect(sleepDelayMs("soonish", now)).toBeNull());
});

describe("ulid", () => {
  test("26 Crockford chars, time-ordered", () => {
    const a = ulid(1000);
    const b = ulid(2000);
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
  });
  test("seeded ids are stable per (seed, index) and differ across indexes", () => {
    const seed = "1795953404578,1myjrvendPJnew==";
    expect(seededUlid(seed, 0)).toBe(seededUlid(seed, 0));
    expect(seededUlid(seed, 0)).not.toBe(seededUlid(seed, 1));
    expect(seededUlid("garbage", 0)).toBeNull();
  });
});

describe("function configs", () => {
  const base = (extra: Record<string, unknown>) => ({
    id: "app-fn",
    name: "fn",
    triggers: [{ event: "a/b" }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: "http://h/api/inngest?fnId=app-fn&stepId=step&deployId=d1" } } },
    ...extra,
  });
  test("defaults: 4 retries → 5 attempts; deployId stripped", () => {
    const fn = compileFunction(base({}), "app");
    expect(fn.maxAttempts).toBe(5);
    expect(fn.url).toBe("http://h/api/inngest?fnId=app-fn&stepId=step");
  });
  test("concurrency: number or object or list; limit 0 means none", () => {
    expect(compileFunction(base({ concurrency: 2 }), "app").concurrency).toMatchObject([{ limit: 2, scope: "fn" }]);
    expect(compileFunction(base({ concurrency: [{ limit: 1, key: "event.data.u" }, { limit: 0 }] }), "app").concurrency).toHaveLength(1);
  });
  test("cron: TZ prefix, 5 fields, bad zone rejected", () => {
    expect(parseCron("TZ=Europe/Paris 0 9 * * 1-5").timezone).toBe("Europe/Paris");
    expect(parseCron("*/5 * * * *").timezone).toBe("UTC");
    expect(() => parseCron("TZ=Mars/Base 0 9 * * *")).toThrow(SyncError);
    expect(() => parseCron("0 0 9 * * *")).toThrow(/5 fields/);
    expect(() => compileFunction(base({ triggers: [{ cron: "61 * * * *" }] }), "app")).toThrow(/app-fn/);
  });
  // throttle, rateLimit, debounce and batchEvents are supported: test/flow-units.test.ts.
  test.each(["singleton", "priority"])("%s is rejected loudly", (key) => {
    expect(() => compileFunction(base({ [key]: { limit: 1 } }), "app")).toThrow(new RegExp(`"app-fn": "${key}" is not supported`));
  });
  test("an unknown config field (a newer SDK) is refused by name", () => {
    expect(() => compileFunction(base({ hyperdrive: true }), "app")).toThrow(/"app-fn": unknown config field "hyperdrive"/);
    expect(() => compileFunction(base({ triggers: [{ event: "a/b", lag: "1s" }] }), "app")).toThrow(/trigger field "lag"/);
  });
  test("cancelOn and timeouts compile; bad values are refused at sync", () => {
    const fn = compileFunction(base({ cancel: [{ event: "a/cancel", if: "event.data.id == async.data.id", timeout: "1h" }], timeouts: { start: "10m", finish: "1h" } }), "app");
    expect(fn.cancel).toHaveLength(1);
    expect(fn.timeouts).toEqual({ startMs: 600_000, finishMs: 3_600_000 });
    expect(() => compileFunction(base({ cancel: [{ event: "a/c", if: "size(async.data) > 1" }] }), "app")).toThrow(/cancelOn\[0\] expression/);
    expect(() => compileFunction(base({ timeouts: { finish: "soon" } }), "app")).toThrow(/timeouts.finish "soon"/);
  });
  test("cron jitter between 1s and 5m is kept; outside is refused; defer() and connect() are refused", () => {
    expect(compileFunction(base({ triggers: [{ cron: "* * * * *", jitter: "30s" }] }), "app").crons[0]?.jitterMs).toBe(30_000);
    expect(() => compileFunction(base({ triggers: [{ cron: "* * * * *", jitter: "10m" }] }), "app")).toThrow(/jitter "10m"/);
    expect(() => compileFunction(base({ triggers: [{ event: "inngest/deferred.schedule" }] }), "app")).toThrow(/defer\(\)/);
    const ws = base({});
    (ws.steps.step.runtime as { type: string }).type = "ws";
    expect(() => compileFunction(ws, "app")).toThrow(/connect\(\) workers/);
  });
});

describe("interpret (the SDK's answer → an outcome)", () => {
  const sdk = (extra: Record<string, string> = {}) => new Headers({ "x-inngest-sdk": "inngest-js:v4.24.0", ...extra });

  test("200 → complete with the parsed return value (non-JSON kept as text)", () => {
    expect(interpret(200, sdk(), '{"a":1}')).toEqual({ type: "complete", output: { a: 1 }, status: 200 });
    expect(interpret(200, sdk(), "plain")).toEqual({ type: "complete", output: "plain", status: 200 });
  });

  test("206 → ops, with no-retry and retry-after headers", () => {
    const ops = [{ op: "StepRun", id: "h1", data: 1 }];
    expect(interpret(206, sdk({ "x-inngest-no-retry": "true", "retry-after": "5" }), JSON.stringify(ops))).toEqual({
      type: "ops", ops, noRetry: true, retryAfter: "5", status: 206,
    });
    const bad = interpret(206, sdk(), '{"op":"StepRun"}');
    expect(bad).toMatchObject({ type: "error", error: { name: "InvalidResponse" }, noRetry: false });
  });

  test("500/400 → function-level error keeping the serialized error; x-inngest-no-retry decides", () => {
    const body = JSON.stringify({ name: "NonRetriableError", message: "nope", __serialized: true });
    expect(interpret(400, sdk({ "x-inngest-no-retry": "true" }), body)).toMatchObject({
      type: "error", error: { name: "NonRetriableError", message: "nope" }, noRetry: true, status: 400,
    });
    expect(interpret(500, sdk({ "x-inngest-no-retry": "false" }), "<html>")).toMatchObject({
      type: "error", error: { name: "Error", message: "HTTP 500: <html>" }, noRetry: false, status: 500,
    });
  });

  test("an answer without x-inngest-sdk is not from an SDK (retriable error)", () => {
    expect(interpret(200, new Headers(), "hello")).toMatchObject({ type: "error", error: { name: "NotAnSdkResponse" }, noRetry: false });
  });

  test("201 streaming envelope is unwrapped", () => {
    const envelope = JSON.stringify({ status: 206, headers: { "x-inngest-sdk": "js" }, body: JSON.stringify([{ op: "Sleep", id: "s", name: "1s" }]) });
    expect(interpret(201, new Headers(), `   \n${envelope}`)).toMatchObject({ type: "ops", ops: [{ op: "Sleep", name: "1s" }] });
  });
});

describe("module graph", () => {
  // ESLint's import/no-cycle (eslint.config.mjs) ignores `import type`; this also counts those.
  test("engine/ has no import cycles, type-only imports included", () => {
    const dirs = ["../src", "../src/ui", "../src/flow-control", ".."].map((d) => path.join(__dirname, d));
    const files = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith(".ts")).map((f) => path.join(d, f)));
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const src = fs.readFileSync(file, "utf8");
      const deps = [...src.matchAll(/^(?:import|export)[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gms)].map((m) => path.resolve(path.dirname(file), `${m[1]}.ts`));
      graph.set(file, deps.filter((d) => fs.existsSync(d)));
    }
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...trail.slice(trail.indexOf(f)), f].map((p) => path.relative(path.join(__dirname, ".."), p)).join(" → "));
        return;
      }
      state.set(f, "open");
      for (const d of graph.get(f) ?? []) visit(d, [...trail, f]);
      state.set(f, "done");
    };
    for (const f of graph.keys()) visit(f, []);
    expect(graph.size).toBeGreaterThan(20);
    expect(cycles).toEqual([]);
  });
});
