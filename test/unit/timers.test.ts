import { describe, expect, it } from "vitest";
import { TIMER_SLOTS, nextDeadline } from "../../src/core/index";
import { clearTimers, noTimers } from "../../src/core/timers";
import { at } from "./helpers";

describe("timer slots", () => {
  it("nextDeadline is the minimum armed slot, null when none", () => {
    const t = noTimers();
    expect(nextDeadline(t)).toBeNull();
    t.adver = at(500);
    t.garpRefresh = at(200);
    expect(nextDeadline(t)).toBe(200);
    t.garpRefresh = null;
    expect(nextDeadline(t)).toBe(500);
  });

  it("nextDeadline looks at every slot", () => {
    for (const [i, slot] of TIMER_SLOTS.entries()) {
      const t = noTimers();
      for (const other of TIMER_SLOTS) t[other] = at(1000);
      t[slot] = at(i);
      expect(nextDeadline(t)).toBe(i);
    }
  });

  it("a fresh set has every slot, none armed; clearing disarms them all", () => {
    const t = noTimers();
    expect(Object.keys(t)).toEqual([...TIMER_SLOTS]);
    for (const slot of TIMER_SLOTS) t[slot] = at(7);
    clearTimers(t);
    expect(Object.values(t).every((v) => v === null)).toBe(true);
  });
});
