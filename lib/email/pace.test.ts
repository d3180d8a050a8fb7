import { describe, expect, it } from "vitest";
import { limitPerPeriod, throttleFor } from "@/lib/email/pace";

describe("throttle from the provider's rate", () => {
  it("is the largest whole limit per whole-second period not above the rate", () => {
    expect(limitPerPeriod(2)).toEqual({ limit: 2, periodSeconds: 1 });
    expect(limitPerPeriod(1)).toEqual({ limit: 1, periodSeconds: 1 });
    expect(limitPerPeriod(0.5)).toEqual({ limit: 1, periodSeconds: 2 });
    expect(limitPerPeriod(0.6)).toEqual({ limit: 3, periodSeconds: 5 });
    expect(limitPerPeriod(2.5)).toEqual({ limit: 5, periodSeconds: 2 });
    expect(limitPerPeriod(0.01)).toEqual({ limit: 1, periodSeconds: 60 });
  });

  it("keeps short periods when asked (from idle, `limit` runs start at once)", () => {
    expect(limitPerPeriod(2 / 1.15, 5)).toEqual({ limit: 5, periodSeconds: 3 });
    expect(limitPerPeriod(0.1, 5)).toEqual({ limit: 1, periodSeconds: 5 });
  });

  it("keys every function on the provider; the digest gets its share, transactional mail the pacer's whole rate", () => {
    const settings = { requestsPerSecond: 2, bulkShare: 0.5 };
    // 2/s less the pacer's 25 % slack: 1.6/s → 8 per 5 s.
    expect(throttleFor("transactional", settings)).toEqual({ key: '"resend"', limit: 8, period: "5s", burst: 0 });
    expect(throttleFor("bulk", settings)).toEqual({ key: '"resend"', limit: 1, period: "1s", burst: 0 });
    expect(throttleFor("bulk", { requestsPerSecond: 10, bulkShare: 0.3 })).toEqual({ key: '"resend"', limit: 3, period: "1s", burst: 0 });
  });
});
