import { describe, expect, it } from "vitest";
import {
  BEAT_EVERY_MS, LET_GO_WITHIN_MS, OWN_BEAT_MS, SLACK_MS, type PlanSend, type WatchedInstance, beatDue, beatGapMs, decide, planFor, samePlan,
  silenceLimitMs, takeoverBoundMs,
} from "../../src/core/deadman";
import type { Ms } from "../../src/core/units";
import { cs } from "./helpers";

const ms = (n: number): Ms => n as Ms;
const send = (fd: number, ...data: number[]): PlanSend => ({ fd, data: new Uint8Array(data), to: new Uint8Array([2, 0]) });

function instance(role: WatchedInstance["role"], intervalMs: number, tag: number, version: 2 | 3 = 3): WatchedInstance {
  return { role, version, advertIntervalCs: cs(intervalMs / 10), resign: [send(5, tag, 0)], release: [send(3, tag, 21)] };
}

describe("dead-man switch: heartbeats and the silence limit", () => {
  it("a heartbeat rides on the first advert at least 250 ms after the last one", () => {
    expect(beatGapMs(ms(10))).toBe(250);
    expect(beatGapMs(ms(100))).toBe(300);
    expect(beatGapMs(ms(200))).toBe(400);
    expect(beatGapMs(ms(300))).toBe(300);
    expect(beatGapMs(ms(1000))).toBe(1000);
    // Slower adverts: the daemon's own timer beats every second.
    expect(beatGapMs(ms(3000))).toBe(OWN_BEAT_MS);
    expect(beatDue(ms(1000), ms(1000 + BEAT_EVERY_MS - 1))).toBe(false);
    expect(beatDue(ms(1000), ms(1000 + BEAT_EVERY_MS))).toBe(true);
  });

  it("leaves 0.9 s of slack for a late loop, and stays under 2 s at every advert interval", () => {
    for (const interval of [10, 50, 100, 250, 300, 500, 999, 1000, 1001, 2000, 4000, 40_950]) {
      const limit = silenceLimitMs(ms(interval));
      expect(limit - beatGapMs(ms(interval))).toBe(SLACK_MS);
      expect(SLACK_MS).toBeGreaterThanOrEqual(900);
      expect(limit).toBeLessThan(2000);
    }
    expect(silenceLimitMs(ms(100))).toBe(1200);
    expect(silenceLimitMs(ms(1000))).toBe(1900);
  });
});

describe("dead-man switch: the plan", () => {
  it("is armed only while some instance is master", () => {
    expect(planFor([])).toBeNull();
    expect(planFor([instance("backup", 1000, 1), instance("fault", 1000, 2), instance(null, 1000, 3), instance("init", 100, 4)])).toBeNull();
  });

  it("holds every master's priority-0 adverts first, then its VIP deletions; not a backup's", () => {
    const plan = planFor([instance("master", 1000, 1), instance("backup", 100, 2), instance("master", 1000, 3)])!;
    expect(plan.resign.map((s) => [s.fd, ...s.data])).toEqual([[5, 1, 0], [5, 3, 0]]);
    expect(plan.release.map((s) => [s.fd, ...s.data])).toEqual([[3, 1, 21], [3, 3, 21]]);
    expect(plan.silenceMs).toBe(1900);
    expect(plan.ownBeatMs).toBeNull();
  });

  it("takes its silence limit from the fastest master (whose adverts carry the beats)", () => {
    expect(planFor([instance("master", 1000, 1), instance("master", 100, 2)])!.silenceMs).toBe(1200);
    // A backup's fast adverts are not ours: they carry no beat.
    expect(planFor([instance("master", 1000, 1), instance("backup", 10, 2)])!.silenceMs).toBe(1900);
  });

  it("keeps the VIPs until any backup can have taken over on the priority 0 (Skew_Time at priority 1, + 0.1 s)", () => {
    expect(takeoverBoundMs(instance("master", 1000, 1, 2))).toBe(996 + 100);
    expect(takeoverBoundMs(instance("master", 100, 1, 2))).toBe(996 + 100);
    expect(takeoverBoundMs(instance("master", 1000, 1, 3))).toBe(996 + 100);
    expect(takeoverBoundMs(instance("master", 100, 1, 3))).toBe(99 + 100);
    // Killed: the whole bound (the VIPs gone 1.1 s after at the most).
    expect(planFor([instance("master", 1000, 1, 2)])!.releaseAfterDeathMs).toBe(1096);
    expect(planFor([instance("master", 100, 1, 3)])!.releaseAfterDeathMs).toBe(199);
    // Hung: what the 2 s goal leaves after the silence limit.
    expect(planFor([instance("master", 1000, 1, 2)])!.releaseAfterSilenceMs).toBe(100);
    expect(planFor([instance("master", 100, 1, 3)])!.releaseAfterSilenceMs).toBe(199);
    expect(planFor([instance("master", 100, 1, 2)])!.releaseAfterSilenceMs).toBe(800);
    for (const interval of [10, 100, 1000, 4000]) {
      for (const version of [2, 3] as const) {
        const plan = planFor([instance("master", interval, 1, version)])!;
        expect(plan.silenceMs + plan.releaseAfterSilenceMs).toBeLessThanOrEqual(LET_GO_WITHIN_MS);
        expect(plan.releaseAfterDeathMs).toBeLessThanOrEqual(LET_GO_WITHIN_MS);
      }
    }
    expect(planFor([instance("master", 4000, 1, 3)])!.releaseAfterDeathMs).toBe(LET_GO_WITHIN_MS);
    // Several masters: the slowest takeover.
    expect(planFor([instance("master", 100, 1, 3), instance("master", 1000, 2, 2)])!.releaseAfterDeathMs).toBe(1096);
  });

  it("beats on a timer of its own when every master advertises less often than once a second", () => {
    const plan = planFor([instance("master", 3000, 1)])!;
    expect(plan.ownBeatMs).toBe(OWN_BEAT_MS);
    expect(plan.silenceMs).toBe(OWN_BEAT_MS + SLACK_MS);
  });

  it("is the same plan only when the child would do exactly the same", () => {
    const a = planFor([instance("master", 1000, 1)]);
    expect(samePlan(a, planFor([instance("master", 1000, 1)]))).toBe(true);
    expect(samePlan(null, null)).toBe(true);
    expect(samePlan(a, null)).toBe(false);
    expect(samePlan(a, planFor([instance("master", 1000, 2)]))).toBe(false);
    expect(samePlan(a, planFor([instance("master", 100, 1)]))).toBe(false);
    expect(samePlan(a, planFor([instance("master", 1000, 1), instance("master", 1000, 2)]))).toBe(false);
    const otherFd = { ...instance("master", 1000, 1), resign: [send(6, 1, 0)] };
    expect(samePlan(a, planFor([otherFd]))).toBe(false);
  });
});

describe("dead-man switch: what a report from the child means", () => {
  it("fired: the masters step down; gone without firing: a new child", () => {
    expect(decide("fired")).toBe("abandon");
    expect(decide("gone")).toBe("rearm");
  });
});
