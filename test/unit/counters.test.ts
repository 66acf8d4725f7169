import { describe, expect, it } from "vitest";
import { HISTORY_LIMIT, ZERO_COUNTERS } from "../../src/core/index";
import { bump, countDrop, countTransition } from "../../src/core/counters";
import { at } from "./helpers";

describe("counters", () => {
  it("bump and countDrop are pure", () => {
    const c = countDrop(countDrop(bump(ZERO_COUNTERS, "advertsRx"), "bad-ttl"), "bad-ttl");
    expect(c.advertsRx).toBe(1);
    expect(c.drops).toEqual({ "bad-ttl": 2 });
    expect(ZERO_COUNTERS.advertsRx).toBe(0);
    expect(ZERO_COUNTERS.drops).toEqual({});
  });

  it("history is bounded and counts masters", () => {
    let c = ZERO_COUNTERS;
    for (let i = 0; i < 25; i++) c = countTransition(c, { at: at(i), from: "backup", to: i % 2 ? "master" : "backup", reason: `r${i}` });
    expect(c.history).toHaveLength(HISTORY_LIMIT);
    expect(c.history[0]?.reason).toBe("r5");
    expect(c.lastTransition?.reason).toBe("r24");
    expect(c.becameMaster).toBe(12);
    expect(c.transitions).toBe(25);
  });
});
