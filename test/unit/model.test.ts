// Model tests: 2–3 simulated routers on one link, driven through random
// interleavings of partitions, loss, link and interface faults, shutdowns,
// restarts, priority changes and resignations. Properties:
// - once the link has been healthy long enough, exactly one running router
//   is master, and with preemption everywhere it has the highest priority
//   (addresses break ties only between simultaneous masters, RFC 5798 §6.4.3);
// - only a master holds the VIP;
// - no backup ever becomes master sooner than Master_Down_Interval after the
//   last advert it had to honour, or Skew_Time after a priority 0 from the
//   master it followed (a stop from anyone else does not hurry it).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Centisec,
  type InstanceConfig,
  masterDownIntervalMs,
  skewTimeMs,
} from "../../src/core/index";
import { config, cs, ip, prio } from "./helpers";
import { type Delivery, Link } from "./sim";

type Op =
  | { kind: "partition"; mask: number }
  | { kind: "heal" }
  | { kind: "mute"; router: number; ms: number }
  | { kind: "linkDown" | "linkUp" | "shutdown" | "start" | "fault" | "faultCleared"; router: number }
  | { kind: "setPriority"; router: number; priority: number }
  | { kind: "resign"; router: number; holdMs: number };

interface Scenario {
  n: number;
  version: 2 | 3;
  family: 4 | 6;
  intervalCs: number;
  priorities: number[];
  preempt: boolean[];
  preemptDelayMs: number;
  ops: { dt: number; op: Op }[];
}

const router = fc.integer({ min: 0, max: 2 });

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("partition" as const), mask: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant("heal" as const) }),
  fc.record({ kind: fc.constant("mute" as const), router, ms: fc.integer({ min: 100, max: 8000 }) }),
  fc.record({
    kind: fc.constantFrom("linkDown" as const, "linkUp" as const, "shutdown" as const, "start" as const),
    router,
  }),
  fc.record({ kind: fc.constantFrom("fault" as const, "faultCleared" as const), router }),
  fc.record({ kind: fc.constant("setPriority" as const), router, priority: fc.constantFrom(1, 50, 100, 150, 254) }),
  fc.record({ kind: fc.constant("resign" as const), router, holdMs: fc.constantFrom(0, 1000, 5000) }),
);

const scenario: fc.Arbitrary<Scenario> = fc
  .constantFrom<[2 | 3, 4 | 6]>([2, 4], [3, 4], [3, 6])
  .chain(([version, family]) =>
    fc.record({
      n: fc.integer({ min: 2, max: 3 }),
      version: fc.constant(version),
      family: fc.constant(family),
      intervalCs: version === 2 ? fc.constantFrom(100, 200) : fc.constantFrom(10, 37, 100, 200),
      // Repeats on purpose, so ties fall to the address rule; 255 is the owner.
      priorities: fc.array(fc.constantFrom(50, 100, 100, 200, 254, 255), { minLength: 3, maxLength: 3 }),
      preempt: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      preemptDelayMs: fc.constantFrom(0, 0, 3000),
      ops: fc.array(fc.record({ dt: fc.integer({ min: 0, max: 5000 }), op }), { maxLength: 30 }),
    }),
  );

function routerConfig(s: Scenario, i: number, preempt: boolean): InstanceConfig {
  const addr = s.family === 4 ? `198.18.0.${i + 10}` : `fe80::${i + 10}`;
  return config({
    version: s.version,
    family: s.family,
    primary: ip(addr),
    vips: [ip(s.family === 4 ? "198.18.0.1" : "fe80::1")],
    priority: prio(s.priorities[i] ?? 100),
    advertIntervalCs: cs(s.intervalCs),
    preempt,
    preemptDelayMs: s.preemptDelayMs,
  });
}

function apply(link: Link, o: Op, mutedUntil: number[]): void {
  switch (o.kind) {
    case "partition":
      // Routers whose bit is set are on one side.
      link.blocked = (a, b) => (((o.mask >> a) & 1) !== ((o.mask >> b) & 1)) || link.now < (mutedUntil[a] ?? 0);
      return;
    case "heal":
      link.blocked = (a) => link.now < (mutedUntil[a] ?? 0);
      return;
    case "mute": {
      // Loses everything router `router` sends for a while (a burst of drops).
      mutedUntil[o.router] = link.now + o.ms;
      const before = link.blocked;
      link.blocked = (a, b) => before(a, b) || link.now < (mutedUntil[a] ?? 0);
      return;
    }
    case "linkDown":
      link.router(o.router).linkDown = true;
      return;
    case "linkUp":
      link.router(o.router).linkDown = false;
      return;
    case "shutdown":
    case "start":
      link.input(o.router, { kind: o.kind });
      return;
    case "fault":
      link.input(o.router, { kind: "fault", reason: "interface down" });
      return;
    case "faultCleared":
      link.input(o.router, { kind: "faultCleared", reason: "interface up" });
      return;
    case "setPriority": {
      // The platform only ever sends an effective priority: the owner stays 255.
      const r = link.router(o.router);
      if (r.config.priority !== 255) link.input(o.router, { kind: "setPriority", priority: prio(o.priority) });
      return;
    }
    case "resign":
      link.input(o.router, { kind: "resign", holdMs: o.holdMs });
      return;
  }
}

/**
 * The priority-0 adverts a backup had to act on, among those it heard in
 * order: a stop counts only from the router it followed (the sender of the
 * last advert it took), as a stop from anyone else leaves its timer as it
 * was (state.ts, stopRefused).
 */
function stopsActedOn(heard: readonly Delivery[], followedAtEntry: number | null): Delivery[] {
  let followed = followedAtEntry;
  return heard.filter((d) => {
    if (d.priority === 0 && followed !== null && d.from !== followed) return false;
    followed = d.from;
    return d.priority === 0;
  });
}

/** Asserts the Master_Down_Interval / Skew_Time lower bound on every backup → master. */
function checkTakeoverTimes(link: Link, s: Scenario, maxPriority: number[]): void {
  const interval = cs(s.intervalCs) as Centisec;
  link.transitions.forEach((t, index) => {
    if (t.from !== "backup" || t.to !== "master") return;
    const j = t.router;
    const enteredBackup = Math.max(
      ...link.transitions.slice(0, index).filter((x) => x.router === j && x.to === "backup").map((x) => x.at),
    );
    const p = prio(maxPriority[j] ?? 254); // highest priority it ever had: the shortest legal timers
    const mdi = masterDownIntervalMs(s.version, p, interval);
    const skew = skewTimeMs(s.version, p, interval);
    const toJ = link.deliveries.filter((d) => d.to === j && d.at >= enteredBackup && d.at <= t.at);
    // A master that hears a better advert follows its sender from then on.
    const demotedBy = toJ.filter((d) => d.toRole === "master" && d.priority > 0).at(-1)?.from ?? null;
    const heard = toJ.filter((d) => d.toRole === "backup");
    const honoured = heard.filter((d) => d.priority > 0 && d.priority >= d.toPriority);
    const lastHonoured = honoured.length === 0 ? null : Math.max(...honoured.map((d) => d.at));
    const zeros = stopsActedOn(heard, demotedBy).filter((d) => lastHonoured === null || d.at >= lastHonoured);
    const lastZero = zeros.length === 0 ? null : Math.max(...zeros.map((d) => d.at));
    const where = `router ${j} became master at ${t.at} (${t.reason})`;
    // Legal after Master_Down_Interval of silence from the master it
    // followed, or after Skew_Time from that master's priority 0.
    const silentSince = lastHonoured ?? enteredBackup;
    if (lastZero !== null && t.at - silentSince < mdi) expect(t.at - lastZero, where).toBeGreaterThanOrEqual(skew);
    else expect(t.at - silentSince, where).toBeGreaterThanOrEqual(mdi);
  });
}

/**
 * The highest effective priority among running routers. Addresses only break
 * ties between simultaneous masters (RFC 5798 §6.4.3); a backup honours an
 * equal-priority master whatever its address (§6.4.2), so with ties either
 * router may end up master.
 */
function bestPriority(link: Link, running: number[]): number {
  return Math.max(...running.map((i) => link.router(i).state.priority));
}

function runScenario(s: Scenario, allPreempt: boolean): void {
  const configs = Array.from({ length: s.n }, (_, i) => routerConfig(s, i, allPreempt || (s.preempt[i] ?? true)));
  const link = new Link(configs);
  const mutedUntil: number[] = [];
  const maxPriority = configs.map((c) => c.priority as number);
  configs.forEach((_, i) => link.input(i, { kind: "start" }));
  for (const { dt, op: o } of s.ops) {
    link.run(dt);
    if ("router" in o && o.router >= s.n) continue;
    apply(link, o, mutedUntil);
    if (o.kind === "setPriority" && configs[o.router]?.priority !== 255)
      maxPriority[o.router] = Math.max(maxPriority[o.router] ?? 0, o.priority);
    // A resigned master keeps the VIP until the new master is heard.
    for (const r of link.routers) expect(r.vipHeld).toBe(r.role === "master" || r.state.releasing);
  }

  // Settle: heal everything, bring interfaces back, clear faults.
  link.blocked = () => false;
  link.routers.forEach((r, i) => {
    r.linkDown = false;
    if (r.role === "fault") link.input(i, { kind: "faultCleared", reason: "interface up" });
  });
  link.run(40_000);

  const running = link.routers.flatMap((r, i) => (r.role === "init" ? [] : [i]));
  const masters = link.masters();
  if (running.length === 0) expect(masters).toEqual([]);
  else {
    expect(masters, `masters ${JSON.stringify(masters)} of running ${JSON.stringify(running)}`).toHaveLength(1);
    const master = link.router(masters[0] ?? -1);
    if (allPreempt) expect(master.state.priority).toBe(bestPriority(link, running));
  }
  for (const r of link.routers) expect(r.vipHeld).toBe(r.role === "master");
  checkTakeoverTimes(link, s, maxPriority);
}

/** More runs on demand: MODEL_RUNS=20000 npx vitest run test/unit/model.test.ts */
const RUNS = Number(process.env.MODEL_RUNS ?? 300);

describe("VRRP on a simulated link (fast-check)", () => {
  it("with preemption everywhere: one master, the best one, never early", () => {
    fc.assert(
      fc.property(scenario, (s) => runScenario(s, true)),
      { numRuns: RUNS },
    );
  });

  it("with preemption mixed on and off: one master, never early", () => {
    fc.assert(
      fc.property(scenario, (s) => runScenario(s, false)),
      { numRuns: RUNS },
    );
  });
});
