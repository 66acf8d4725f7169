import { describe, expect, it } from "vitest";
import { HISTORY_LIMIT } from "../../src/core/index";
import { countDrop, countTransition, zeroCounters } from "../../src/core/counters";
import { at } from "./helpers";

describe("counters", () => {
  it("countDrop counts by reason; every set of counters is its own", () => {
    const c = zeroCounters();
    countDrop(c, "bad-ttl");
    countDrop(c, "bad-ttl");
    expect(c.drops).toEqual({ "bad-ttl": 2 });
    expect(zeroCounters().drops).toEqual({});
  });

  it("history is bounded and counts masters", () => {
    const c = zeroCounters();
    for (let i = 0; i < 25; i++) countTransition(c, { at: at(i), from: "backup", to: i % 2 ? "master" : "backup", reason: `r${i}` });
    expect(c.history).toHaveLength(HISTORY_LIMIT);
    expect(c.history[0]?.reason).toBe("r5");
    expect(c.lastTransition?.reason).toBe("r24");
    expect(c.becameMaster).toBe(12);
    expect(c.transitions).toBe(25);
    expect(zeroCounters().history).toEqual([]);
  });
});
