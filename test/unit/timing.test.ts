import { describe, expect, it } from "vitest";
import { type InstanceConfig, masterDownIntervalMs, skewTimeMs } from "../../src/core/index";
import { config, cs, ip, prio } from "./helpers";
import { Link } from "./sim";

describe("RFC formulas in integer ms", () => {
  it("v3 (RFC 5798 §6.1): skew scales with Master_Adver_Interval", () => {
    expect(skewTimeMs(3, prio(100), cs(100))).toBe(609); // 156·1000/256 = 609.375
    expect(skewTimeMs(3, prio(200), cs(100))).toBe(218); // 56·1000/256 = 218.75
    expect(skewTimeMs(3, prio(100), cs(10))).toBe(60); // 156·100/256 = 60.9375
    expect(masterDownIntervalMs(3, prio(100), cs(100))).toBe(3609);
    expect(masterDownIntervalMs(3, prio(254), cs(4095))).toBe(122_850 + 319);
  });

  it("v2 (RFC 3768 §6.1): skew is (256 - priority)/256 seconds whatever the interval", () => {
    expect(skewTimeMs(2, prio(100), cs(200))).toBe(609);
    expect(masterDownIntervalMs(2, prio(100), cs(200))).toBe(6609);
    expect(masterDownIntervalMs(3, prio(100), cs(200))).toBe(7218);
    expect(skewTimeMs(2, prio(1), cs(100))).toBe(996);
  });
});

/** A at .3 with priority 200 and B at .2 with priority 100, on a 1 ms link. */
function pair(over: Partial<InstanceConfig> = {}): Link {
  const link = new Link([
    config({ primary: ip("198.18.0.3"), priority: prio(200), ...over }),
    config({ primary: ip("198.18.0.2"), priority: prio(100), ...over }),
  ]);
  link.input(0, { kind: "start" });
  link.input(1, { kind: "start" });
  return link;
}

function becameMaster(link: Link, router: number): number[] {
  return link.transitions.filter((t) => t.router === router && t.to === "master").map((t) => t.at);
}

describe("takeover times on a fake clock", () => {
  it("election: A wins at its own Master_Down_Interval (3218), B stays backup", () => {
    const link = pair();
    link.run(20_000);
    expect(becameMaster(link, 0)).toEqual([3218]);
    expect(link.masters()).toEqual([0]);
    expect(link.router(0).vipHeld).toBe(true);
    expect(link.router(1).vipHeld).toBe(false);
  });

  it.each<[string, Partial<InstanceConfig>, number]>([
    ["v3, 1 s", {}, 3609],
    ["v3, 100 ms", { advertIntervalCs: cs(10) }, 360],
    ["v3, 2 s", { advertIntervalCs: cs(200) }, 7218],
    ["v2, 1 s", { version: 2 }, 3609],
    ["v2, 2 s", { version: 2, advertIntervalCs: cs(200) }, 6609],
    ["v3 IPv6", { family: 6, vips: [ip("fe80::1")] }, 3609],
  ])("%s: when the master's adverts stop, B takes over exactly Master_Down_Interval after the last one", (_n, over, mdi) => {
    const link =
      over.family === 6
        ? (() => {
            const l = new Link([
              config({ ...over, primary: ip("fe80::3"), priority: prio(200) }),
              config({ ...over, primary: ip("fe80::2"), priority: prio(100) }),
            ]);
            l.input(0, { kind: "start" });
            l.input(1, { kind: "start" });
            return l;
          })()
        : pair(over);
    link.run(30_000);
    link.blocked = (from) => from === 0; // the master's adverts are lost from now on
    link.run(60_000);
    const lastHeard = Math.max(...link.deliveries.filter((d) => d.from === 0 && d.at <= 30_000).map((d) => d.at));
    expect(becameMaster(link, 1)).toEqual([lastHeard + mdi]);
  });

  it("priority 0 on shutdown: B takes over Skew_Time (609 ms) after it arrives", () => {
    const link = pair();
    link.run(10_000);
    link.input(0, { kind: "shutdown" });
    expect(link.router(0).vipHeld).toBe(false);
    link.run(5_000);
    expect(becameMaster(link, 1)).toEqual([10_001 + 609]);
  });

  it("v3 backup learns a 100 ms Master_Adver_Interval and uses it for Master_Down_Interval", () => {
    const link = new Link([
      config({ primary: ip("198.18.0.3"), priority: prio(200), advertIntervalCs: cs(10) }),
      config({ primary: ip("198.18.0.2"), priority: prio(100), advertIntervalCs: cs(100) }),
    ]);
    link.input(0, { kind: "start" });
    link.input(1, { kind: "start" });
    link.run(5_000);
    expect(link.router(1).state.masterAdverIntervalCs).toBe(10);
    link.blocked = (from) => from === 0;
    link.run(5_000);
    const lastHeard = Math.max(...link.deliveries.filter((d) => d.from === 0 && d.at <= 5_000).map((d) => d.at));
    expect(becameMaster(link, 1)).toEqual([lastHeard + 300 + 60]);
  });

  it("preemption: the returning higher-priority router takes over Master_Down_Interval after start", () => {
    const link = pair();
    link.input(0, { kind: "shutdown" });
    link.run(10_000);
    expect(link.masters()).toEqual([1]);
    link.input(0, { kind: "start" });
    link.run(10_000);
    expect(becameMaster(link, 0)).toEqual([10_000 + 3218]);
    expect(link.masters()).toEqual([0]);
  });

  it("resign hands over in Skew_Time and holds off preemption for the hold time", () => {
    const link = pair();
    link.run(10_000);
    link.input(0, { kind: "resign", holdMs: 20_000 });
    link.run(19_999);
    expect(becameMaster(link, 1)).toEqual([10_001 + 609]);
    expect(link.masters()).toEqual([1]);
    link.run(10_000);
    expect(link.masters()).toEqual([0]);
  });

  it("split brain heals within one advert interval of the partition ending", () => {
    const link = pair();
    link.run(5_000);
    link.blocked = () => true;
    link.run(10_000);
    expect(link.masters()).toEqual([0, 1]);
    link.blocked = () => false;
    const healedAt = link.now;
    link.run(1_002);
    expect(link.masters()).toEqual([0]);
    const lastDemotion = link.transitions.filter((t) => t.router === 1 && t.to === "backup").map((t) => t.at);
    expect(Math.max(...lastDemotion) - healedAt).toBeLessThanOrEqual(1_001);
  });
});
