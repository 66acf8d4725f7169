import { describe, expect, it } from "vitest";
import { after, centisecToMs, msAt, toCentisec, toPriority, toVrid } from "../../src/core/index";

describe("branded numbers are minted only in range", () => {
  it.each<[string, (n: number) => number | null, number, number]>([
    ["Vrid", toVrid, 1, 255],
    ["Priority", toPriority, 1, 255],
    ["Centisec", toCentisec, 1, 4095],
  ])("%s: %i..%i, integers only", (_name, mint, lo, hi) => {
    expect(mint(lo)).toBe(lo);
    expect(mint(hi)).toBe(hi);
    expect(mint(lo - 1)).toBeNull();
    expect(mint(hi + 1)).toBeNull();
    expect(mint(lo + 0.5)).toBeNull();
    expect(mint(Number.NaN)).toBeNull();
  });

  it("time helpers are exact integer arithmetic", () => {
    expect(after(msAt(1000), 609)).toBe(1609);
    expect(centisecToMs(toCentisec(4095) ?? (0 as never))).toBe(40950);
  });
});
