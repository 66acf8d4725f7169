import { describe, expect, it } from "vitest";
import {
  type Action,
  type Advert,
  type Event,
  type InstanceConfig,
  type InstanceState,
  type Ms,
  HISTORY_LIMIT,
  createInstance,
  nextDeadline,
  passwordKey,
  step as feed,
} from "../../src/core/index";
import { nextBeaconAt } from "../../src/core/state";
import { at, config, cs, ip, prio, vrid } from "./helpers";

interface Step {
  readonly state: InstanceState;
  readonly actions: readonly Action[];
  readonly nextDeadline: Ms | null;
}

/** The core changes its state in place; these tests keep the states they
 * step from, so every step works on a copy. */
function step(s: InstanceState, e: Event, now: Ms): Step {
  const next = structuredClone(s);
  const actions = feed(next, e, now);
  return { state: next, actions, nextDeadline: nextDeadline(next.timers) };
}

const PEER = ip("198.18.0.3");
const LOWER_PEER = ip("198.18.0.1");

function advert(priority: number, over: Partial<Advert> = {}): Advert {
  return { version: 3, family: 4, vrid: vrid(51), priority, addrs: [ip("198.18.0.1")], maxAdverIntervalCs: cs(100), ...over } as Advert;
}

function rx(priority: number, src = PEER, over: Partial<Advert> = {}, ttl = 255): Event {
  return { kind: "advert", rx: { advert: advert(priority, over), src, ttl } };
}

/** Runs events in order at the given times; returns every step. */
function drive(s: InstanceState, events: [number, Event][]): Step[] {
  const steps: Step[] = [];
  let cur = s;
  for (const [t, e] of events) {
    const st = step(cur, e, at(t));
    steps.push(st);
    cur = st.state;
  }
  return steps;
}

function last(steps: Step[]): Step {
  const s = steps[steps.length - 1];
  if (s === undefined) throw new Error("no steps");
  return s;
}

function kinds(actions: readonly Action[]): string[] {
  return actions.map((a) => (a.kind === "sendAdvert" ? `sendAdvert(${a.priority})` : a.kind));
}

function backupAt(t: number, c: InstanceConfig = config()): InstanceState {
  return last(drive(createInstance(c), [[t, { kind: "start" }]])).state;
}

function masterAt(t: number, c: InstanceConfig = config()): InstanceState {
  const s = backupAt(0, c);
  const deadline = s.timers.masterDown ?? 0;
  const st = step(s, { kind: "timeout" }, at(Math.max(t, deadline)));
  expect(st.state.role).toBe("master");
  return st.state;
}

describe("Initialize (RFC 5798 §6.4.1)", () => {
  it("start → backup, Master_Down_Timer = 3·interval + skew (v3, p100, 1 s: 3000 + 609)", () => {
    const st = step(createInstance(config()), { kind: "start" }, at(1000));
    expect(st.state.role).toBe("backup");
    expect(st.state.timers.masterDown).toBe(1000 + 3609);
    expect(st.nextDeadline).toBe(4609);
    expect(st.actions).toEqual([{ kind: "notify", from: "init", to: "backup", reason: "start" }]);
  });

  it("priority 255 (address owner) → master at once, with VIP, gratuitous burst, advert", () => {
    const st = step(createInstance(config({ priority: prio(255) })), { kind: "start" }, at(0));
    expect(st.state.role).toBe("master");
    expect(kinds(st.actions)).toEqual(["addVip", "sendGratuitous", "sendAdvert(255)", "notify"]);
    expect(st.actions[1]).toEqual({ kind: "sendGratuitous", count: 5, spacingMs: 0 });
    expect(st.state.timers.adver).toBe(1000);
    expect(st.state.counters.lastTransition?.reason).toBe("start; address owner (priority 255)");
  });

  it("start-up delay keeps Initialize until its slot fires; a repeated start changes nothing", () => {
    const c = config({ startDelayMs: 3000 });
    const steps = drive(createInstance(c), [
      [0, { kind: "start" }],
      [100, { kind: "start" }],
      [2999, { kind: "timeout" }],
      [3000, { kind: "timeout" }],
    ]);
    expect(steps[0]?.state.role).toBe("init");
    expect(steps[0]?.nextDeadline).toBe(3000);
    expect(steps[1]?.nextDeadline).toBe(3000);
    expect(steps[2]?.state.role).toBe("init");
    expect(last(steps).state.role).toBe("backup");
    expect(last(steps).state.counters.lastTransition?.reason).toBe("start-up delay over");
  });

  it("shutdown during the start-up delay cancels it", () => {
    const steps = drive(createInstance(config({ startDelayMs: 3000 })), [
      [0, { kind: "start" }],
      [10, { kind: "shutdown" }],
    ]);
    expect(last(steps).nextDeadline).toBeNull();
    expect(last(steps).actions).toEqual([]);
  });

  it("adverts heard in Initialize are counted as inactive drops", () => {
    const st = step(createInstance(config()), rx(100), at(0));
    expect(st.state.counters.drops.inactive).toBe(1);
    expect(st.state.counters.advertsRx).toBe(1);
  });
});

describe("Backup (RFC 5798 §6.4.2)", () => {
  it("Master_Down_Timer fires → master", () => {
    const s = backupAt(0);
    const st = step(s, { kind: "timeout" }, at(3609));
    expect(st.state.role).toBe("master");
    // The clients learn our MAC before the master handing over (which
    // lets go when it hears our advert) drops the VIP.
    expect(kinds(st.actions)).toEqual(["addVip", "sendGratuitous", "sendAdvert(100)", "notify"]);
    expect(st.state.counters.lastTransition?.reason).toBe("master down timer expired");
    expect(st.state.counters.becameMaster).toBe(1);
  });

  it("an early or spurious timeout is a no-op", () => {
    const s = backupAt(0);
    const st = step(s, { kind: "timeout" }, at(3608));
    expect(st.state).toEqual(s);
    expect(st.actions).toEqual([]);
    expect(st.nextDeadline).toBe(3609);
  });

  it("a higher-priority advert resets the timer and v3 learns Master_Adver_Interval", () => {
    const s = backupAt(0);
    const st = step(s, rx(150, PEER, { maxAdverIntervalCs: cs(50) } as Partial<Advert>), at(500));
    // 3·500 + (156·500/256 = 304.6875 → 304)
    expect(st.state.masterAdverIntervalCs).toBe(50);
    expect(st.state.timers.masterDown).toBe(500 + 1500 + 304);
    expect(st.state.heard?.priority).toBe(150);
  });

  it("priority 0 from the master → Master_Down_Timer = Skew_Time, then takeover says why", () => {
    const s = step(backupAt(0), rx(150), at(100)).state;
    const st = step(s, rx(0), at(200));
    expect(st.state.timers.masterDown).toBe(200 + 609);
    expect(st.state.counters.priorityZeroRx).toBe(1);
    const t = step(st.state, { kind: "timeout" }, at(809));
    expect(t.state.role).toBe("master");
    expect(t.state.counters.lastTransition?.reason).toBe("priority 0 from master 198.18.0.3");
  });

  it("priority 0 from anyone but the master it follows changes nothing", () => {
    const s = step(backupAt(0), rx(150), at(100)).state;
    const st = step(s, rx(0, ip("198.18.0.66")), at(200));
    expect(st.state.timers.masterDown).toBe(s.timers.masterDown);
    expect(st.state.heard?.addr).toEqual(PEER);
    expect(st.state.counters.drops["stop-refused"]).toBe(1);
    expect(st.actions).toEqual([{ kind: "log", level: "warn", reason: "stop-refused",
      message: "priority 0 from 198.18.0.66, which is not the master (198.18.0.3)" }]);
  });

  it("after 3 takeovers on priority 0 in a minute, a priority 0 no longer hurries the next one", () => {
    // A forged priority 0, a takeover, the real master preempting back: round after round.
    let s = step(backupAt(0), rx(150), at(100)).state;
    let t = 100;
    for (let round = 0; round < 3; round++) {
      s = step(s, rx(0), at((t += 100))).state;
      expect(s.timers.masterDown).toBe(t + 609);
      s = step(s, { kind: "timeout" }, at((t += 609))).state;
      expect(s.role).toBe("master");
      s = step(s, rx(150), at((t += 100))).state;
      expect(s.role).toBe("backup");
    }
    const refused = step(s, rx(0), at((t += 100)));
    expect(refused.state.timers.masterDown).toBe(s.timers.masterDown);
    expect(refused.state.counters.drops["stop-refused"]).toBe(1);
    // The master has really gone: the full Master_Down_Interval still ends in a takeover.
    const down = step(refused.state, { kind: "timeout" }, at(s.timers.masterDown ?? 0));
    expect(down.state.role).toBe("master");
    // A minute after the first of them, priority 0 works as the RFC says again.
    const later = step(step(down.state, rx(150), at(61_000)).state, rx(0), at(61_100));
    expect(later.state.timers.masterDown).toBe(61_100 + 609);
  });

  it("preempt on: a lower-priority advert is discarded, so the timer runs out and we preempt", () => {
    const s = backupAt(0);
    const st = step(s, rx(50), at(1000));
    expect(st.state.timers.masterDown).toBe(3609);
    const t = step(st.state, { kind: "timeout" }, at(3609));
    expect(t.state.role).toBe("master");
    expect(t.state.counters.lastTransition?.reason).toBe("preempting lower priority 50 master 198.18.0.3");
  });

  it("preempt off: a lower-priority advert still resets the timer", () => {
    const s = backupAt(0, config({ preempt: false }));
    const st = step(s, rx(50), at(1000));
    expect(st.state.timers.masterDown).toBe(4609);
    const t = step(st.state, { kind: "timeout" }, at(4609));
    expect(t.state.counters.lastTransition?.reason).toBe("master down timer expired (last advert from 198.18.0.3)");
  });

  it("equal priority is honoured whatever the addresses (only a master compares them)", () => {
    const st = step(backupAt(0), rx(100, LOWER_PEER), at(1000));
    expect(st.state.timers.masterDown).toBe(4609);
  });

  it("preempt delay: a lower master is honoured until the delay runs, once per start-up", () => {
    const c = config({ preemptDelayMs: 10_000 });
    const steps = drive(backupAt(0, c), [
      [1000, rx(50)], // arms preemptDelay at 11000, resets masterDown to 4609
      [4000, rx(50)], // still held: masterDown 7609
      [11000, { kind: "timeout" }], // preemptDelay fires; masterDown (from an advert at 10000) not yet
    ]);
    expect(steps[0]?.state.timers.preemptDelay).toBe(11000);
    expect(steps[1]?.state.timers.masterDown).toBe(7609);
    const held = drive(steps[1]?.state ?? backupAt(0), [
      [7000, rx(50)],
      [10000, rx(50)],
      [11000, { kind: "timeout" }],
      [12000, rx(50)], // no longer honoured
    ]);
    const after = last(held).state;
    expect(after.preemptDelayServed).toBe(true);
    expect(after.timers.preemptDelay).toBeNull();
    expect(after.timers.masterDown).toBe(10000 + 3609);
    expect(step(after, { kind: "timeout" }, at(13609)).state.role).toBe("master");
  });

  it("a zero preempt delay preempts straight away", () => {
    const st = step(backupAt(0), rx(50), at(10));
    expect(st.state.timers.preemptDelay).toBeNull();
  });

  it("shutdown → init with no timers", () => {
    const st = step(backupAt(0), { kind: "shutdown" }, at(5));
    expect(st.state.role).toBe("init");
    expect(st.nextDeadline).toBeNull();
    expect(kinds(st.actions)).toEqual(["notify"]);
  });
});

describe("Master (RFC 5798 §6.4.3)", () => {
  it("Adver_Timer fires → advert, timer reset", () => {
    const m = masterAt(3609);
    const st = step(m, { kind: "timeout" }, at(4609));
    expect(kinds(st.actions)).toEqual(["sendAdvert(100)"]);
    expect(st.state.timers.adver).toBe(5609);
  });

  it("higher priority advert → one last advert at our priority, then backup, with the master's interval learned", () => {
    const m = masterAt(3609);
    const st = step(m, rx(200, PEER, { maxAdverIntervalCs: cs(200) } as Partial<Advert>), at(4000));
    expect(st.state.role).toBe("backup");
    // The advert goes out before the VIP goes: the winner hears a lower
    // priority master and announces the VIP (the next tests but one).
    expect(kinds(st.actions)).toEqual(["sendAdvert(100)", "removeVip", "notify"]);
    expect(st.state.counters.advertsTx).toBe(m.counters.advertsTx + 1);
    expect(st.state.counters.lastTransition?.reason).toBe("higher priority 200 from 198.18.0.3");
    expect(st.state.timers.adver).toBeNull();
    // 3·2000 + floor(156·2000/256 = 1218.75)
    expect(st.state.timers.masterDown).toBe(4000 + 6000 + 1218);
  });

  it("equal priority from a higher address → backup ('preempted by')", () => {
    const st = step(masterAt(3609), rx(100, PEER), at(4000));
    expect(st.state.role).toBe("backup");
    expect(st.state.counters.lastTransition?.reason).toBe("preempted by 198.18.0.3 (equal priority 100, higher address)");
  });

  it("equal priority from a lower address → stays master, answers with an advert, and announces the VIP again", () => {
    const st = step(masterAt(3609), rx(100, LOWER_PEER), at(4000));
    expect(st.state.role).toBe("master");
    expect(kinds(st.actions)).toEqual(["sendAdvert(100)", "sendGratuitous"]);
    expect(st.state.counters.otherMasterSeen).toBe(1);
  });

  it("lower priority advert → stays master; an advert at once, so the other steps down now, and the VIP announced again (a split brain healing)", () => {
    const st = step(masterAt(3609), rx(99, PEER), at(4000));
    expect(st.state.role).toBe("master");
    expect(st.actions).toEqual([{ kind: "sendAdvert", priority: 100 }, { kind: "sendGratuitous", count: 5, spacingMs: 0 }]);
    expect(st.state.timers.adver).toBe(5000);
  });

  it("a flood of a lower master's adverts gets at most one advert and one announcement of ours per quarter interval", () => {
    let s = masterAt(3609);
    let sent = 0;
    let announced = 0;
    for (let t = 3610; t < 4609; t += 10) {
      const st = step(s, rx(99, PEER), at(t));
      sent += st.actions.filter((a) => a.kind === "sendAdvert").length;
      announced += st.actions.filter((a) => a.kind === "sendGratuitous").length;
      s = st.state;
    }
    expect(sent).toBe(4); // at 3610, 3860, 4110, 4360
    expect(announced).toBe(4); // likewise
  });

  it("a lower master's advert right after our periodic one is answered at once: it did not hear ours (a split brain healing)", () => {
    // Our periodic advert went at 4609, into the partition; the other
    // master's comes 1 ms after it heals.
    const m = step(masterAt(3609), { kind: "timeout" }, at(4609)).state;
    const st = step(m, rx(99, PEER), at(4610));
    expect(kinds(st.actions)).toEqual(["sendAdvert(100)", "sendGratuitous"]);
    expect(st.state.timers.adver).toBe(5610);
  });

  it("a lower master's last advert right after our answer: no second announcement, nor advert", () => {
    const answered = step(masterAt(3609), rx(99, PEER), at(4000));
    expect(kinds(answered.actions)).toEqual(["sendAdvert(100)", "sendGratuitous"]);
    expect(step(answered.state, rx(99, PEER), at(4002)).actions).toEqual([]);
  });

  it("priority 0 advert → send an advert at once and reset the Adver_Timer", () => {
    const st = step(masterAt(3609), rx(0, PEER), at(4000));
    expect(kinds(st.actions)).toEqual(["sendAdvert(100)"]);
    expect(st.state.timers.adver).toBe(5000);
  });

  it("a flood of priority 0 gets at most one advert per quarter interval", () => {
    let s = masterAt(3609);
    let sent = 0;
    for (let t = 3610; t < 4609; t += 10) {
      const st = step(s, rx(0, PEER), at(t));
      sent += st.actions.filter((a) => a.kind === "sendAdvert").length;
      s = st.state;
    }
    expect(sent).toBe(4); // at 3610, 3860, 4110, 4360 (a quarter of 1 s after each)
  });

  it("shutdown → priority 0 advert, VIP removed, init", () => {
    const st = step(masterAt(3609), { kind: "shutdown" }, at(4000));
    expect(kinds(st.actions)).toEqual(["sendAdvert(0)", "removeVip", "notify"]);
    expect(st.state.role).toBe("init");
    expect(st.nextDeadline).toBeNull();
    expect(st.state.counters.priorityZeroTx).toBe(1);
  });

  it("gratuitous repeat burst after its delay, then periodic refresh", () => {
    const c = config({
      gratuitous: { count: 3, spacingMs: 20, repeatDelayMs: 2000, refreshMs: 60_000, refreshCount: 1 },
    });
    const m = masterAt(3609, c);
    expect(m.timers.garpRepeat).toBe(5609);
    expect(m.timers.garpRefresh).toBe(63609);
    const rep = step(m, { kind: "timeout" }, at(5609));
    expect(rep.actions).toContainEqual({ kind: "sendGratuitous", count: 3, spacingMs: 20 });
    expect(rep.state.timers.garpRepeat).toBeNull();
    const ref = step(rep.state, { kind: "timeout" }, at(63609));
    expect(ref.actions).toContainEqual({ kind: "sendGratuitous", count: 1, spacingMs: 20 });
    expect(ref.state.timers.garpRefresh).toBe(123609);
  });

  it("no repeat, no refresh when configured off", () => {
    const m = masterAt(3609, config({ gratuitous: { count: 1, spacingMs: 0, repeatDelayMs: null, refreshMs: null, refreshCount: 1 } }));
    expect(m.timers.garpRepeat).toBeNull();
    expect(m.timers.garpRefresh).toBeNull();
  });

  it("setPriority takes effect with the next advert, without a transition", () => {
    const m = masterAt(3609);
    const st = step(m, { kind: "setPriority", priority: prio(180) }, at(4000));
    expect(st.actions).toEqual([]);
    expect(st.state.role).toBe("master");
    expect(kinds(step(st.state, { kind: "timeout" }, at(4609)).actions)).toEqual(["sendAdvert(180)"]);
  });

  it("resign: priority 0, backup, VIP kept until the new master speaks, no preemption back during the hold-off", () => {
    const m = step(masterAt(3609, config({ priority: prio(200) })), { kind: "resign", holdMs: 30_000 }, at(4000));
    expect(kinds(m.actions)).toEqual(["sendAdvert(0)", "notify"]);
    expect(m.state.role).toBe("backup");
    expect(m.state.releasing).toBe(true);
    expect(m.state.counters.lastTransition?.reason).toBe("resign (planned switchover)");
    expect(m.state.timers.preemptDelay).toBe(34_000);
    // The new, lower-priority master's first advert releases the VIP, and it
    // is honoured during the hold-off...
    const held = step(m.state, rx(100), at(5000));
    expect(kinds(held.actions)).toEqual(["removeVip"]);
    expect(held.state.releasing).toBe(false);
    expect(held.state.timers.masterDown).toBe(5000 + 3 * 1000 + Math.floor((56 * 1000) / 256));
    // ...and preempted after it.
    let cur = held.state;
    for (let t = 6000; t <= 33_000; t += 1000) cur = step(cur, rx(100), at(t)).state;
    const over = step(cur, { kind: "timeout" }, at(34_000));
    expect(over.state.role).toBe("backup");
    expect(over.state.timers.preemptDelay).toBeNull();
    const late = step(over.state, rx(100), at(35_000));
    expect(late.state.timers.masterDown).toBe(cur.timers.masterDown);
    expect(step(late.state, { kind: "timeout" }, at(cur.timers.masterDown ?? 0)).state.role).toBe("master");
  });

  it("resign with no new master: master again after Master_Down_Interval, the VIP never gone", () => {
    const m = step(masterAt(3609, config({ priority: prio(200) })), { kind: "resign", holdMs: 0 }, at(4000));
    const mdi = 3 * 1000 + Math.floor((56 * 1000) / 256);
    const back = step(m.state, { kind: "timeout" }, at(4000 + mdi));
    expect(back.state.role).toBe("master");
    expect(kinds(back.actions)).not.toContain("removeVip");
    expect(back.state.releasing).toBe(false);
  });

  it("resign, then shutdown before anyone takes over: the VIP still goes", () => {
    const m = step(masterAt(3609, config({ priority: prio(200) })), { kind: "resign", holdMs: 0 }, at(4000));
    const down = step(m.state, { kind: "shutdown" }, at(4100));
    expect(kinds(down.actions)).toEqual(["removeVip", "notify"]);
    expect(down.state.releasing).toBe(false);
  });

  it("abandoned (the dead-man switch fired while the daemon hung): backup at once, no advert of its own, the VIP let go, a new election", () => {
    const m = step(masterAt(3609, config({ priority: prio(200) })), { kind: "abandoned" }, at(9000));
    expect(kinds(m.actions)).toEqual(["removeVip", "notify"]);
    expect(m.state.role).toBe("backup");
    expect(m.state.releasing).toBe(false);
    expect(m.state.counters.lastTransition?.reason).toBe("abandoned by the dead-man switch while the daemon hung");
    // Nobody heard: master again after its own Master_Down_Interval.
    const mdi = 3 * 1000 + Math.floor((56 * 1000) / 256);
    expect(m.state.timers.masterDown).toBe(9000 + mdi);
    expect(step(m.state, { kind: "timeout" }, at(9000 + mdi)).state.role).toBe("master");
  });

  it("abandoned outside Master does nothing", () => {
    const s = backupAt(0);
    expect(step(s, { kind: "abandoned" }, at(1)).state).toEqual(s);
  });

  it("resign outside Master does nothing", () => {
    const s = backupAt(0);
    expect(step(s, { kind: "resign", holdMs: 1000 }, at(1)).state).toEqual(s);
  });
});

describe("Fault (forced by the platform)", () => {
  it("master → fault sends priority 0 and drops the VIP; clearing restarts as RFC Startup", () => {
    const f = step(masterAt(3609), { kind: "fault", reason: "interface down" }, at(4000));
    expect(kinds(f.actions)).toEqual(["sendAdvert(0)", "removeVip", "notify"]);
    expect(f.state.role).toBe("fault");
    expect(f.nextDeadline).toBeNull();
    expect(step(f.state, { kind: "fault", reason: "again" }, at(4001)).state).toEqual(f.state);
    expect(step(f.state, rx(100), at(4002)).state.counters.drops.inactive).toBe(1);
    const c = step(f.state, { kind: "faultCleared", reason: "interface up" }, at(5000));
    expect(c.state.role).toBe("backup");
    expect(c.actions).toEqual([{ kind: "notify", from: "fault", to: "backup", reason: "interface up" }]);
    expect(c.state.timers.masterDown).toBe(8609);
  });

  it("fault from init and backup; shutdown from fault", () => {
    const fromInit = step(createInstance(config()), { kind: "fault", reason: "interface down" }, at(0));
    expect(fromInit.state.role).toBe("fault");
    const fromBackup = step(backupAt(0), { kind: "fault", reason: "tracker wan failed" }, at(1));
    expect(kinds(fromBackup.actions)).toEqual(["notify"]);
    expect(step(fromBackup.state, { kind: "shutdown" }, at(2)).state.role).toBe("init");
  });

  it("owner whose fault clears goes straight back to master", () => {
    const f = step(createInstance(config({ priority: prio(255) })), { kind: "fault", reason: "down" }, at(0));
    expect(step(f.state, { kind: "faultCleared", reason: "up" }, at(1)).state.role).toBe("master");
  });

  it("start while in fault does nothing; faultCleared outside fault does nothing", () => {
    const f = step(createInstance(config()), { kind: "fault", reason: "down" }, at(0)).state;
    expect(step(f, { kind: "start" }, at(1)).state).toEqual(f);
    const b = backupAt(0);
    expect(step(b, { kind: "faultCleared", reason: "up" }, at(1)).state).toEqual(b);
  });
});

describe("instance-level acceptance inside step", () => {
  it.each<[string, Event, string]>([
    ["TTL 254", rx(200, PEER, {}, 254), "bad-ttl"],
    ["other VRID", rx(200, PEER, { vrid: vrid(52) }), "vrid-mismatch"],
    ["v2 advert to a v3 instance", rx(200, PEER, { version: 2, adverIntervalSec: 1, auth: { type: "none" } } as Partial<Advert>), "version-mismatch"],
  ])("%s is dropped, counted and logged", (_name, e, reason) => {
    const st = step(backupAt(0), e, at(10));
    expect(st.state.counters.drops).toEqual({ [reason]: 1 });
    expect(st.state.timers.masterDown).toBe(3609);
    expect(st.actions[0]?.kind).toBe("log");
  });

  it("an address-list mismatch is counted and logged, and still processed", () => {
    const st = step(backupAt(0), rx(200, PEER, { addrs: [ip("198.18.0.99")] }), at(10));
    expect(st.state.counters.addressMismatch).toBe(1);
    expect(st.state.timers.masterDown).toBe(10 + 3609);
    expect(st.actions).toEqual([
      {
        kind: "log",
        level: "warn",
        reason: "address-mismatch",
        message:
          "advert from 198.18.0.3: address list differs: 1 received vs 1 configured; missing 198.18.0.1; unexpected 198.18.0.99",
      },
    ]);
  });

  it("rxError counts packet-sanity failures in any state", () => {
    const st = step(backupAt(0), { kind: "rxError", reason: "bad-checksum" }, at(1));
    expect(st.state.counters.drops["bad-checksum"]).toBe(1);
    expect(step(createInstance(config()), { kind: "rxError", reason: "short" }, at(1)).state.counters.drops.short).toBe(1);
  });

  it("v2: interval mismatch and PASS mismatch are dropped; a matching PASS is accepted", () => {
    const key = passwordKey("secret") ?? new Uint8Array(8);
    const c = config({ version: 2, auth: { type: "pass", key } });
    const v2 = (sec: number, k: Uint8Array | null): Partial<Advert> =>
      ({ version: 2, adverIntervalSec: sec, auth: k === null ? { type: "none" } : { type: "pass", key: k } }) as Partial<Advert>;
    const b = backupAt(0, c);
    expect(step(b, rx(200, PEER, v2(2, key)), at(1)).state.counters.drops["interval-mismatch"]).toBe(1);
    expect(step(b, rx(200, PEER, v2(1, passwordKey("wrong"))), at(1)).state.counters.drops["auth-mismatch"]).toBe(1);
    expect(step(b, rx(200, PEER, v2(1, null)), at(1)).state.counters.drops["auth-mismatch"]).toBe(1);
    expect(step(b, rx(200, PEER, v2(1, key)), at(1)).state.timers.masterDown).toBe(1 + 3609);
  });
});

describe("counters and history", () => {
  it("keeps the last 20 transitions, oldest first", () => {
    let s = createInstance(config());
    let t = 0;
    for (let i = 0; i < 15; i++) {
      s = step(s, { kind: "start" }, at(t++)).state;
      s = step(s, { kind: "shutdown" }, at(t++)).state;
    }
    expect(s.counters.transitions).toBe(30);
    expect(s.counters.history).toHaveLength(HISTORY_LIMIT);
    expect(s.counters.history[0]).toEqual({ at: 10, from: "init", to: "backup", reason: "start" });
    expect(s.counters.lastTransition).toEqual({ at: 29, from: "backup", to: "init", reason: "shutdown" });
  });

  it("setPriority works in every state", () => {
    const s = step(createInstance(config()), { kind: "setPriority", priority: prio(90) }, at(0)).state;
    expect(s.priority).toBe(90);
    expect(step(s, { kind: "start" }, at(0)).state.timers.masterDown).toBe(3000 + Math.floor((166 * 1000) / 256));
  });
});

describe("a master's periodic adverts as a beacon (InstanceConfig.beacon)", () => {
  const beacon = config({ beacon: true });
  const schedule = (priority: number, phase: number): Action => ({ kind: "beacon", schedule: { priority: prio(priority), intervalMs: 1000 as Ms, phase: at(phase) } });

  it("becoming master sends one advert and hands the rest to the platform: no Adver_Timer wakes the daemon", () => {
    const b = backupAt(0, beacon);
    const st = step(b, { kind: "timeout" }, at(3609));
    expect(st.state.role).toBe("master");
    expect(st.actions.slice(2, 4)).toEqual([{ kind: "sendAdvert", priority: 100 }, schedule(100, 3609)]);
    expect(st.state.timers.adver).toBeNull();
    // Only the gratuitous ARP repeat (5 s after) is left for the daemon.
    expect(st.nextDeadline).toBe(3609 + 5000);
    expect(step(st.state, { kind: "timeout" }, at(4609)).actions).toEqual([]);
  });

  it("priority 0 heard: an advert at once and the beacon re-phased, at most once per quarter interval", () => {
    const m = masterAt(3609, beacon);
    // 2.3 intervals after the phase: the beacon sent at 5609, 0.3 s ago.
    const st = step(m, rx(0, PEER), at(5909));
    expect(st.actions).toEqual([{ kind: "sendAdvert", priority: 100 }, schedule(100, 5909)]);
    // 0.1 s after our answer: too soon for another.
    expect(step(st.state, rx(0, PEER), at(6009)).actions).toEqual([]);
    // 0.1 s after the beacon's advert at 6909, which the sender had not heard.
    const again = step(st.state, rx(0, PEER), at(7009));
    expect(again.actions).toEqual([{ kind: "sendAdvert", priority: 100 }, schedule(100, 7009)]);
    expect(step(again.state, rx(0, PEER), at(7200)).actions).toEqual([]);
  });

  it("a new priority changes the beacon at its phase; the same priority again changes nothing", () => {
    const m = masterAt(3609, beacon);
    const st = step(m, { kind: "setPriority", priority: prio(180) }, at(7000));
    expect(st.actions).toEqual([schedule(180, 3609)]);
    expect(step(st.state, { kind: "setPriority", priority: prio(180) }, at(7100)).actions).toEqual([]);
    // A backup's priority shows in no advert.
    expect(step(backupAt(0, beacon), { kind: "setPriority", priority: prio(180) }, at(10)).actions).toEqual([]);
  });

  it("leaving Master stops the beacon before the priority 0 goes out", () => {
    for (const e of [{ kind: "shutdown" }, { kind: "fault", reason: "link down" }, { kind: "resign", holdMs: 0 }] as Event[]) {
      const st = step(masterAt(3609, beacon), e, at(4000));
      expect(kinds(st.actions).slice(0, 2)).toEqual(["beacon", "sendAdvert(0)"]);
      expect(st.actions[0]).toEqual({ kind: "beacon", schedule: null });
      expect(st.state.advertPhase).toBeNull();
    }
    const preempted = step(masterAt(3609, beacon), rx(200, PEER), at(4000));
    expect(kinds(preempted.actions)).toEqual(["beacon", "sendAdvert(100)", "removeVip", "notify"]);
    const abandoned = step(masterAt(3609, beacon), { kind: "abandoned" }, at(4000));
    expect(abandoned.actions[0]).toEqual({ kind: "beacon", schedule: null });
  });

  it("a beacon's next advert is the first of phase + k × interval after now", () => {
    const b = { intervalMs: 100 as Ms, phase: at(1000) };
    expect(nextBeaconAt(b, at(1000))).toBe(1100);
    expect(nextBeaconAt(b, at(1099))).toBe(1100);
    expect(nextBeaconAt(b, at(1100))).toBe(1200);
    expect(nextBeaconAt(b, at(5555))).toBe(5600);
  });

  it("without a beacon nothing changes: the Adver_Timer sends, no beacon action", () => {
    const m = masterAt(3609);
    expect(m.timers.adver).toBe(4609);
    const moved = step(m, { kind: "setPriority", priority: prio(180) }, at(4000));
    expect(moved.actions).toEqual([]);
    expect(kinds(step(m, { kind: "shutdown" }, at(4000)).actions)).not.toContain("beacon");
  });
});
