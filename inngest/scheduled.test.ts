// A scheduled run's "now" comes from its event's timestamp, but never from the future: the sender
// chooses `ts`, and the purges delete everything that expired "by now".
import { NonRetriableError } from "inngest";
import { describe, expect, it } from "vitest";
import { runTimeOf } from "@/inngest/scheduled";

const serverNow = Date.parse("2026-11-30T12:00:00Z");
const run = (ts: unknown) => runTimeOf({ name: "maintenance/purge-expired.requested", ts: ts as number }, serverNow);

describe("runTimeOf", () => {
  it("uses the tick's scheduled time for a late or retried run", () => {
    expect(run(Date.parse("2026-11-28T02:00:00Z")).toISOString()).toBe("2026-11-28T02:00:00.000Z");
  });

  it("uses the server's clock when the event has no timestamp", () => {
    expect(runTimeOf({ name: "x" }, serverNow).getTime()).toBe(serverNow);
  });

  it("takes a timestamp a little ahead (clock skew) as now, never later", () => {
    expect(run(serverNow + 60_000).getTime()).toBe(serverNow);
  });

  it("refuses a far-future timestamp instead of purging as of then", () => {
    const farFuture = Date.parse("2036-11-30T12:00:00Z");
    expect(() => run(farFuture)).toThrow(NonRetriableError);
    expect(() => run(farFuture)).toThrow(/Refusing to run "maintenance\/purge-expired.requested" as of 2036-11-30T12:00:00.000Z: its timestamp is not plausible/);
  });

  it.each([[Number.NaN], [-1], [Date.parse("1999-12-31T00:00:00Z")], ["2026-11-30"], [1e300]])("refuses an unreadable or implausible timestamp (%s)", (ts) => {
    expect(() => run(ts)).toThrow(NonRetriableError);
  });
});
