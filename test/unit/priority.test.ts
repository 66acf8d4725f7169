import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type TrackTerm, effectivePriority } from "../../src/core/index";
import { prio } from "./helpers";

function term(name: string, weight: number, state: TrackTerm["state"], more: Partial<TrackTerm> = {}): TrackTerm {
  return { name, weight, reverse: false, state, fileValue: null, dynamicWeight: null, detail: "", ...more };
}

describe("effectivePriority", () => {
  it("adds positive weights while up and negative weights while down (keepalived semantics)", () => {
    const b = effectivePriority(prio(100), [
      term("wan", -30, "down"),
      term("lan", 20, "up"),
      term("ping", 10, "down"),
      term("dns", -5, "up"),
    ]);
    expect(b.effective).toBe(90);
    expect(b.terms.map((t) => [t.applied, t.effect])).toEqual([[-30, "priority"], [20, "priority"], [0, "none"], [0, "none"]]);
    expect([b.clampedFrom, b.owner, b.faults, b.pending]).toEqual([null, false, [], []]);
  });

  it("negates what is added with reverse", () => {
    const b = effectivePriority(prio(100), [term("a", 20, "up", { reverse: true }), term("b", -30, "down", { reverse: true })]);
    expect(b.terms.map((t) => t.applied)).toEqual([-20, 30]);
    expect(b.effective).toBe(110);
  });

  it("puts the instance in FAULT for a failing tracker of weight 0, and with reverse for an up one", () => {
    const b = effectivePriority(prio(100), [term("nginx", 0, "down"), term("maint", 0, "up", { reverse: true }), term("ok", 0, "up")]);
    expect(b.faults.map((t) => t.name)).toEqual(["nginx", "maint"]);
    expect(b.effective).toBe(100);
  });

  it("waits for the first result of a tracker of weight 0 only", () => {
    const b = effectivePriority(prio(100), [term("a", 0, "init"), term("b", -20, "init"), term("c", 10, "init")]);
    expect(b.pending.map((t) => t.name)).toEqual(["a"]);
    expect(b.effective).toBe(100);
  });

  it("uses a dynamic weight in place of the weight while up (keepalived misc_dynamic)", () => {
    expect(effectivePriority(prio(100), [term("m", 0, "up", { dynamicWeight: 8 })]).effective).toBe(108);
    expect(effectivePriority(prio(100), [term("m", -5, "up", { dynamicWeight: 3 })]).effective).toBe(103);
    expect(effectivePriority(prio(100), [term("m", 0, "down", { dynamicWeight: 8 })]).faults).toHaveLength(1);
  });

  it("scales a file's number by the weight, FAULT at -254 or below, at most 253 (keepalived track_file)", () => {
    const file = (weight: number, value: number, reverse = false) =>
      effectivePriority(prio(100), [term("f", weight, "up", { fileValue: value, reverse })]);
    expect(file(1, -30).effective).toBe(70);
    expect(file(-2, 10).effective).toBe(80);
    expect(file(2, 10, true).effective).toBe(80);
    expect(file(10, 40).terms[0]?.applied).toBe(253);
    expect(file(10, 40).effective).toBe(254);
    expect(file(2, -127).faults).toHaveLength(1);
    expect(file(2, -126).faults).toHaveLength(0);
    expect(file(0, 3).faults).toHaveLength(1);
    expect(file(0, 0).faults).toHaveLength(0);
    expect(file(0, 0, true).faults).toHaveLength(1);
  });

  it("clamps to 1..254 and says from what", () => {
    expect(effectivePriority(prio(250), [term("a", 50, "up")])).toMatchObject({ effective: 254, clampedFrom: 300 });
    expect(effectivePriority(prio(10), [term("a", -50, "down")])).toMatchObject({ effective: 1, clampedFrom: -40 });
  });

  it("the owner (255) stays 255 and applies no weight, but faults still hold", () => {
    const b = effectivePriority(prio(255), [term("wan", -100, "down"), term("nginx", 0, "down")]);
    expect(b).toMatchObject({ effective: 255, owner: true, clampedFrom: null });
    expect(b.terms.map((t) => [t.applied, t.effect])).toEqual([[0, "none"], [0, "fault"]]);
  });

  it("is always within 1..254 for a non-owner base (fast-check)", () => {
    const tracker = fc.record({
      name: fc.string(),
      weight: fc.integer({ min: -254, max: 254 }),
      reverse: fc.boolean(),
      state: fc.constantFrom("init" as const, "up" as const, "down" as const),
      fileValue: fc.option(fc.integer({ min: -1000, max: 1000 })),
      dynamicWeight: fc.option(fc.integer({ min: 0, max: 253 })),
      detail: fc.constant(""),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 254 }), fc.array(tracker, { maxLength: 6 }), (base, ts) => {
        const e = effectivePriority(prio(base), ts).effective;
        return e >= 1 && e <= 254;
      }),
    );
  });
});
