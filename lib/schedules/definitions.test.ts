import { describe, expect, it } from "vitest";
import { functions } from "@/inngest/index";
import { isoWeek, isoWeekStart, nextRuns, parseCron, SCHEDULE_LIST, SCHEDULES } from "@/lib/schedules/definitions";

describe("schedule definitions", () => {
  it("every cron names its time zone explicitly", () => {
    for (const s of SCHEDULE_LIST) expect(s.cron).toMatch(/^TZ=\S+ /);
  });

  it("are what the served functions use: the same cron and manual event, nothing copied", () => {
    for (const s of SCHEDULE_LIST) {
      const fn = functions.find((f) => f.id() === s.id);
      expect(fn, `function ${s.id}`).toBeDefined();
      const triggers = (fn!.opts as { triggers: ({ cron: string } | { name: string })[] }).triggers;
      expect(triggers.filter((t) => "cron" in t)).toEqual([{ cron: s.cron }]);
      expect(triggers.some((t) => "name" in t && t.name === s.runEvent)).toBe(true);
      expect((fn!.opts as { name?: string }).name).toBe(s.name);
    }
  });
});

describe("parseCron / nextRuns", () => {
  it("splits TZ= from the expression; UTC when absent", () => {
    expect(parseCron("TZ=UTC 0 2 * * *")).toEqual({ timezone: "UTC", expression: "0 2 * * *" });
    expect(parseCron("CRON_TZ=Europe/Paris 0 9 * * 1-5")).toEqual({ timezone: "Europe/Paris", expression: "0 9 * * 1-5" });
    expect(parseCron("*/5 * * * *")).toEqual({ timezone: "UTC", expression: "*/5 * * * *" });
  });

  it("gives the next five fire times in the schedule's zone", () => {
    const from = new Date("2026-11-29T14:00:00Z"); // a Sunday
    expect(nextRuns(SCHEDULES.weeklyDigest.cron, from).map((d) => d.toISOString())).toEqual([
      "2026-11-30T08:00:00.000Z",
      "2026-12-07T08:00:00.000Z",
      "2026-12-14T08:00:00.000Z",
      "2026-12-21T08:00:00.000Z",
      "2026-12-28T08:00:00.000Z",
    ]);
    expect(nextRuns(SCHEDULES.purgeExpired.cron, from, 2).map((d) => d.toISOString())).toEqual(["2026-11-30T02:00:00.000Z", "2026-12-01T02:00:00.000Z"]);
    // Another zone follows its own clock across DST: 09:00 Paris is 08:00Z in winter, 07:00Z in summer.
    expect(nextRuns("TZ=Europe/Paris 0 9 * * *", new Date("2027-03-27T12:00:00Z"), 2).map((d) => d.toISOString())).toEqual([
      "2027-03-28T07:00:00.000Z",
      "2027-03-29T07:00:00.000Z",
    ]);
  });
});

describe("isoWeek", () => {
  it("numbers weeks the ISO way, including across the year boundary", () => {
    expect(isoWeek(new Date("2026-11-30T08:00:00Z"))).toBe("2026-W49");
    expect(isoWeek(new Date("2026-11-29T23:59:59Z"))).toBe("2026-W48");
    expect(isoWeek(new Date("2026-01-01T00:00:00Z"))).toBe("2026-W01");
    expect(isoWeek(new Date("2027-01-01T12:00:00Z"))).toBe("2026-W53");
    expect(isoWeek(new Date("2027-01-04T00:00:00Z"))).toBe("2027-W01");
  });

  it("finds the Monday that starts a week", () => {
    expect(isoWeekStart("2026-W49").toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(isoWeekStart("2026-W53").toISOString()).toBe("2026-12-28T00:00:00.000Z");
    expect(isoWeekStart("2027-W01").toISOString()).toBe("2027-01-04T00:00:00.000Z");
    for (const week of ["2026-W01", "2026-W49", "2026-W53", "2027-W01"]) expect(isoWeek(isoWeekStart(week))).toBe(week);
  });
});
