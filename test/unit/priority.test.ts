import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { effectivePriority } from "../../src/core/index";
import { prio } from "./helpers";

describe("effectivePriority", () => {
  it("adds positive weights while up and negative weights while down (keepalived semantics)", () => {
    const b = effectivePriority(prio(100), [
      { name: "wan", weight: -30, up: false },
      { name: "lan", weight: 20, up: true },
      { name: "ping", weight: 10, up: false },
      { name: "dns", weight: -5, up: true },
    ]);
    expect(b.effective).toBe(90);
    expect(b.terms.map((t) => t.applied)).toEqual([-30, 20, 0, 0]);
    expect(b.clampedFrom).toBeNull();
    expect(b.owner).toBe(false);
  });

  it("clamps to 1..254 and says from what", () => {
    expect(effectivePriority(prio(250), [{ name: "a", weight: 50, up: true }])).toMatchObject({ effective: 254, clampedFrom: 300 });
    expect(effectivePriority(prio(10), [{ name: "a", weight: -50, up: false }])).toMatchObject({ effective: 1, clampedFrom: -40 });
  });

  it("the owner (255) stays 255 and applies nothing", () => {
    const b = effectivePriority(prio(255), [{ name: "wan", weight: -100, up: false }]);
    expect(b).toMatchObject({ effective: 255, owner: true, clampedFrom: null });
    expect(b.terms[0]?.applied).toBe(0);
  });

  it("is always within 1..254 for a non-owner base (fast-check)", () => {
    const tracker = fc.record({ name: fc.string(), weight: fc.integer({ min: -254, max: 254 }), up: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 254 }), fc.array(tracker, { maxLength: 6 }), (base, ts) => {
        const e = effectivePriority(prio(base), ts).effective;
        return e >= 1 && e <= 254;
      }),
    );
  });
});
