import { describe, expect, it } from "vitest";
import { TIMER_SLOTS, nextDeadline } from "../../src/core/index";
import { NO_TIMERS, arm, disarm, dueSlots } from "../../src/core/timers";
import { at } from "./helpers";

describe("timer slots", () => {
  it("nextDeadline is the minimum armed slot, null when none", () => {
    expect(nextDeadline(NO_TIMERS)).toBeNull();
    const t = arm(arm(NO_TIMERS, "adver", at(500)), "garpRefresh", at(200));
    expect(nextDeadline(t)).toBe(200);
    expect(nextDeadline(disarm(t, "garpRefresh"))).toBe(500);
  });

  it("due slots come in table order; a slot is due at its deadline, not before", () => {
    const t = arm(arm(arm(NO_TIMERS, "garpRepeat", at(10)), "masterDown", at(10)), "adver", at(11));
    expect(dueSlots(t, at(9))).toEqual([]);
    expect(dueSlots(t, at(10))).toEqual(["masterDown", "garpRepeat"]);
    expect(dueSlots(t, at(11))).toEqual(["masterDown", "adver", "garpRepeat"]);
  });

  it("arming never mutates", () => {
    arm(NO_TIMERS, "adver", at(1));
    expect(Object.values(NO_TIMERS).every((v) => v === null)).toBe(true);
    expect(Object.keys(NO_TIMERS)).toEqual([...TIMER_SLOTS]);
  });
});
