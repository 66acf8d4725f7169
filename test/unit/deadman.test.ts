import { describe, expect, it } from "vitest";
import {
  LET_GO_WITHIN_MS, type PlanSend, type WatchedInstance, decide, letGoWithinMs, livenessFor, planFor, samePlan, takeoverBoundMs,
} from "../../src/core/deadman";
import type { Ms } from "../../src/core/units";
import { cs } from "./helpers";

const ms = (n: number): Ms => n as Ms;
const send = (fd: number, ...data: number[]): PlanSend => ({ fd, data: new Uint8Array(data), to: new Uint8Array([2, 0]) });

function instance(role: WatchedInstance["role"], intervalMs: number, tag: number, version: 2 | 3 = 3, peers = 1): WatchedInstance {
  const beacon = role === "master" ? { sends: Array.from({ length: peers }, (_, k) => send(5, tag, 100 + k)), intervalMs: ms(intervalMs), phase: ms(5000 + tag) } : null;
  const renewal = role === "master" ? { sends: [send(3, tag, 20)], intervalMs: ms(30_000), phase: ms(4000 + tag) } : null;
  return { name: `i${tag}`, role, version, advertIntervalCs: cs(intervalMs / 10), beacon, renewal, resign: [send(5, tag, 0)], release: [send(3, tag, 21)] };
}

describe("dead-man switch: when the daemon counts as hung", () => {
  it("stopped (SIGSTOP): fires on a look with none in the 1.5 intervals before finding otherwise, never later than the silence limit", () => {
    expect([10, 100, 400, 1000, 4000].map((interval) => livenessFor(ms(interval)).stoppedMs)).toEqual([15, 150, 600, 1500, 1500]);
  });

  it("a look serves 1.5 intervals, at most 0.6 s: every other advert at fast rates, every advert at 1 s", () => {
    expect([10, 100, 400, 1000, 3, 1].map((interval) => livenessFor(ms(interval)).freshMs)).toEqual([15, 150, 600, 600, 4, 1]);
    for (const interval of [10, 100, 400]) {
      const l = livenessFor(ms(interval));
      // The first advert after a look reuses it, the second looks...
      expect(interval).toBeLessThan(l.freshMs);
      expect(2 * interval).toBeGreaterThanOrEqual(l.freshMs);
      // ...and, finding the daemon stopped, fires: the backup takes over
      // on the priority 0 before its own timer (three intervals) runs out.
      expect(2 * interval).toBeGreaterThanOrEqual(l.stoppedMs);
    }
    // Looks at most quietCheckMs apart, whatever the interval.
    for (const interval of [10, 100, 400, 700, 1000, 4000]) {
      const l = livenessFor(ms(interval));
      expect(Math.ceil(l.freshMs / interval) * interval, `${interval} ms`).toBeLessThanOrEqual(Math.max(interval, l.quietCheckMs));
    }
  });

  it("not alive (held by the kernel or a tracer, spinning): 1.5 s of looks, at least three in a row, at every advert interval", () => {
    for (const interval of [10, 100, 1000, 4000]) {
      const l = livenessFor(ms(interval));
      expect(l.silenceMs).toBe(1500);
      expect(l.recheckMs).toBe(Math.min(100, interval));
      // The quiet look leaves room for three more before the limit: one
      // look caught in a tracer's stop (strace -p) fires nothing.
      expect(Math.floor((l.silenceMs - l.quietCheckMs) / l.recheckMs)).toBeGreaterThanOrEqual(3);
      // A spinning daemon is found within the silence limit.
      expect(l.spinWindowMs).toBe(1000);
      expect(l.spinWindowMs).toBeLessThan(l.silenceMs);
      expect(l.spinPercent).toBe(90);
    }
  });

  it("leaves room under the 2 s goal for the last look being one recheck late", () => {
    expect(livenessFor(ms(100)).silenceMs + livenessFor(ms(100)).recheckMs).toBeLessThan(LET_GO_WITHIN_MS);
  });

  it("lets go within 2 s, or once a backup can have taken over by itself: four advert intervals and 0.25 s", () => {
    expect([10, 100, 400, 1000, 4000].map((interval) => letGoWithinMs(instance("master", interval, 1)))).toEqual([2000, 2000, 2000, 4250, 16250]);
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
    // The fastest master's interval sets the stopped limit.
    expect(plan.liveness).toEqual(livenessFor(ms(1000)));
    expect(planFor([instance("master", 1000, 1), instance("master", 10, 2)])!.liveness).toEqual(livenessFor(ms(10)));
  });

  it("holds every master's beacon, each destination on the instance's schedule; one send per instance counts its adverts", () => {
    const plan = planFor([instance("master", 1000, 1, 3, 2), instance("backup", 100, 2), instance("master", 10, 3)])!;
    expect(plan.beacons.map((b) => [b.fd, ...b.data, b.intervalMs, b.phase, b.countsFor])).toEqual([
      [5, 1, 100, 1000, 5001, "i1"], [5, 1, 101, 1000, 5001, null], [5, 3, 100, 10, 5003, "i3"],
    ]);
    // A master whose beacon the platform could not build sends none, but still resigns.
    const noBeacon = planFor([{ ...instance("master", 1000, 1), beacon: null }])!;
    expect(noBeacon.beacons).toEqual([]);
    expect(noBeacon.resign.length).toBe(1);
  });

  it("holds every master's VIP renewals on the instance's renewal schedule, for its instance; none for a master without", () => {
    const plan = planFor([instance("master", 1000, 1), instance("backup", 100, 2), instance("master", 10, 3), { ...instance("master", 10, 4), renewal: null }])!;
    expect(plan.renewals.map((r) => [r.fd, ...r.data, r.intervalMs, r.phase, r.instance])).toEqual([
      [3, 1, 20, 30_000, 4001, "i1"], [3, 3, 20, 30_000, 4003, "i3"],
    ]);
  });

  it("keeps the VIPs until any backup can have taken over on the priority 0 (Skew_Time at priority 1, + 0.1 s)", () => {
    expect(takeoverBoundMs(instance("master", 1000, 1, 2))).toBe(996 + 100);
    expect(takeoverBoundMs(instance("master", 100, 1, 2))).toBe(996 + 100);
    expect(takeoverBoundMs(instance("master", 1000, 1, 3))).toBe(996 + 100);
    expect(takeoverBoundMs(instance("master", 100, 1, 3))).toBe(99 + 100);
    // Killed: the whole bound (the VIPs gone 1.1 s after at the most).
    expect(planFor([instance("master", 1000, 1, 2)])!.releaseAfterDeathMs).toBe(1096);
    expect(planFor([instance("master", 100, 1, 3)])!.releaseAfterDeathMs).toBe(199);
    // Hung: at 1 s adverts the whole bound too (a backup can only have
    // taken over on its own after 4.25 s); at 100 ms adverts what the 2 s
    // goal leaves after the silence limit and one late look.
    expect(planFor([instance("master", 1000, 1, 2)])!.releaseAfterSilenceMs).toBe(1096);
    expect(planFor([instance("master", 1000, 1, 3)])!.releaseAfterSilenceMs).toBe(1096);
    expect(planFor([instance("master", 100, 1, 3)])!.releaseAfterSilenceMs).toBe(199);
    expect(planFor([instance("master", 100, 1, 2)])!.releaseAfterSilenceMs).toBe(400);
    for (const interval of [10, 100, 1000, 4000]) {
      for (const version of [2, 3] as const) {
        const i = instance("master", interval, 1, version);
        const plan = planFor([i])!;
        const letGo = letGoWithinMs(i);
        expect(plan.liveness.silenceMs + plan.liveness.recheckMs + plan.releaseAfterSilenceMs).toBeLessThanOrEqual(letGo);
        expect(plan.releaseAfterDeathMs).toBeLessThanOrEqual(letGo);
      }
    }
    // Slow adverts: the router keeps forwarding until a backup can have taken over on the priority 0.
    expect(planFor([instance("master", 4000, 1, 3)])!.releaseAfterDeathMs).toBe(3984 + 100);
    // Several masters: the slowest takeover.
    expect(planFor([instance("master", 100, 1, 3), instance("master", 1000, 2, 2)])!.releaseAfterDeathMs).toBe(1096);
  });

  it("is the same plan only when the child would do exactly the same", () => {
    const a = planFor([instance("master", 1000, 1)]);
    expect(samePlan(a, planFor([instance("master", 1000, 1)]))).toBe(true);
    expect(samePlan(null, null)).toBe(true);
    expect(samePlan(a, null)).toBe(false);
    expect(samePlan(a, planFor([instance("master", 1000, 2)]))).toBe(false);
    expect(samePlan(a, planFor([instance("master", 100, 1)]))).toBe(false);
    // Another interval of a master without a beacon: other thresholds only.
    const quiet = (interval: number) => planFor([{ ...instance("master", interval, 1, 2), beacon: null }]);
    expect(samePlan(quiet(200), quiet(200))).toBe(true);
    expect(samePlan(quiet(200), quiet(300))).toBe(false);
    expect(samePlan(a, planFor([instance("master", 1000, 1), instance("master", 1000, 2)]))).toBe(false);
    const otherFd = { ...instance("master", 1000, 1), resign: [send(6, 1, 0)] };
    expect(samePlan(a, planFor([otherFd]))).toBe(false);
    // A beacon re-phased (priority 0 heard) or carrying another priority.
    const base = instance("master", 1000, 1);
    const rephased = { ...base, beacon: { ...base.beacon!, phase: ms(7777) } };
    expect(samePlan(a, planFor([rephased]))).toBe(false);
    const otherPriority = { ...base, beacon: { ...base.beacon!, sends: [send(5, 1, 99)] } };
    expect(samePlan(a, planFor([otherPriority]))).toBe(false);
    // VIPs added again (a new renewal phase), or no longer held.
    expect(samePlan(a, planFor([{ ...base, renewal: { ...base.renewal!, phase: ms(8888) } }]))).toBe(false);
    expect(samePlan(a, planFor([{ ...base, renewal: null }]))).toBe(false);
  });
});

describe("dead-man switch: what a report from the child means", () => {
  it("fired: the masters step down; gone without firing: a new child", () => {
    expect(decide("fired")).toBe("abandon");
    expect(decide("gone")).toBe("rearm");
  });
});
