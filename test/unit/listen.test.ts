// The backup's listener, its pure parts: when the core's Master_Down_Timer
// may be kept by the listener child (masterDownWatch), that feeding the
// core the newest copy at its arrival and then the timeout decides as
// feeding every copy would (what src/daemon/runner.ts does on the child's
// report), and the wire to the child (src/daemon/listen-wire.ts).
import { describe, expect, it } from "vitest";
import { type Advert, type Event, type InstanceState, createInstance, masterDownWatch, nextDeadline, sameIpv4Datagram, step } from "../../src/core/index";
import { ipv4DatagramMask } from "../../src/core/ipv4";
import { decodeReports, fromClock32, templateOf, watchOf } from "../../src/daemon/listen-wire";
import { at, config, cs, ip, MCAST4, ipv4Datagram, vrid } from "./helpers";

const MASTER = ip("198.18.0.3");

function rx(priority: number, src = MASTER): Event {
  const advert = { version: 3, family: 4, vrid: vrid(51), priority, addrs: [ip("198.18.0.1")], maxAdverIntervalCs: cs(100) } as Advert;
  return { kind: "advert", rx: { advert, src, ttl: 255 } };
}

function backup(over = {}): InstanceState {
  const s = createInstance(config(over));
  step(s, { kind: "start" }, at(0));
  return s;
}

describe("masterDownWatch", () => {
  it("a backup that heard its master: the advert's time and the Master_Down_Interval (v3, p100, 1 s: 3609 ms)", () => {
    const s = backup();
    expect(masterDownWatch(s)).toBeNull(); // no master heard yet
    step(s, rx(200), at(500));
    expect(masterDownWatch(s)).toEqual({ heardAt: 500, limitMs: 3609 });
    expect(nextDeadline(s.timers)).toBe(500 + 3609);
    expect(nextDeadline(s.timers, true)).toBeNull(); // the child keeps it
  });

  it("none after a priority 0 (Skew_Time), for a lower master preempted, nor as master", () => {
    const zero = backup();
    step(zero, rx(200), at(500));
    step(zero, rx(0), at(600));
    expect(masterDownWatch(zero)).toBeNull();
    const lower = backup({ preempt: true });
    step(lower, rx(50), at(500));
    expect(masterDownWatch(lower)).toBeNull();
    const master = backup();
    step(master, { kind: "timeout" }, at(4000));
    expect(master.role).toBe("master");
    expect(masterDownWatch(master)).toBeNull();
  });

  it("a lower master followed through a hold-off, until it ends: then its adverts must reach the core, which preempts", () => {
    const s = backup({ preempt: true, preemptDelayMs: 1000 });
    step(s, rx(50), at(500)); // the delay starts: followed until 1500
    expect(masterDownWatch(s)).toEqual({ heardAt: 500, limitMs: 3609 });
    step(s, rx(50), at(1400));
    expect(masterDownWatch(s)).toEqual({ heardAt: 1400, limitMs: 3609 });
    step(s, { kind: "timeout" }, at(1500)); // the delay is over
    expect(s.role).toBe("backup");
    expect(masterDownWatch(s)).toBeNull();
    step(s, rx(50), at(1600)); // discarded: the timer runs out from the last one followed
    step(s, { kind: "timeout" }, at(1400 + 3609));
    expect(s.role).toBe("master");
  });

  it("the newest copy fed at its arrival, then the timeout, decides as every copy fed would", () => {
    // Every copy fed, 1 s apart until 10 s; then silence.
    const all = backup();
    for (let t = 1000; t <= 10_000; t += 1000) step(all, rx(200), at(t));
    // Lazily: the first copy, then (on the child's report) the newest at 10 s and the timeout.
    const lazy = backup();
    step(lazy, rx(200), at(1000));
    step(lazy, rx(200), at(10_000));
    const w = masterDownWatch(lazy);
    expect(w).toEqual(masterDownWatch(all));
    // Before the deadline a timeout changes nothing; at it, both take over.
    step(lazy, { kind: "timeout" }, at(10_000 + 3608));
    expect(lazy.role).toBe("backup");
    step(lazy, { kind: "timeout" }, at(10_000 + 3609));
    step(all, { kind: "timeout" }, at(10_000 + 3609));
    expect(lazy.role).toBe("master");
    expect(all.role).toBe(lazy.role);
    expect(lazy.counters.lastTransition?.reason).toBe(all.counters.lastTransition?.reason);
  });
});

describe("the listener's wire", () => {
  it("reads silence reports (index and time little-endian) and answers to SYNC, ignoring partial messages", () => {
    const bytes = new Uint8Array([0x53, 0, 2, 1, 0x78, 0x56, 0x34, 0x12, 0x52, 0, 0, 0, 0, 0, 0, 0, 0x53, 0]);
    expect(decodeReports(bytes)).toEqual([{ kind: "silent", index: 258, at32: 0x12345678 }, { kind: "synced" }]);
  });

  it("puts a time modulo 2^32 ms back on the daemon's clock, across a wrap", () => {
    expect(fromClock32(at(5000), 4000)).toBe(4000);
    const now = 2 ** 32 + 100;
    expect(fromClock32(at(now), 2 ** 32 - 50)).toBe(now - 150);
    expect(fromClock32(at(now), 100)).toBe(now);
  });

  it("an IPv4 template ignores Identification and Header Checksum, as sameIpv4Datagram does", () => {
    const d = ipv4Datagram(MASTER, MCAST4, new Uint8Array([0x31, 51, 200, 1, 0, 100, 0, 0, 198, 18, 0, 1]));
    const t = templateOf({ raw: d, src: MASTER, ttl: 255 });
    expect([...t.mask].map((m, i) => (m === 0 ? i : -1)).filter((i) => i >= 0)).toEqual([4, 5, 10, 11]);
    for (let i = 0; i < d.length; i++) {
      const other = d.slice();
      other[i] = (other[i] ?? 0) ^ 0xff;
      expect(sameIpv4Datagram(other, other.length, d), `byte ${i}`).toBe(ipv4DatagramMask(d.length)[i] === 0);
    }
  });

  it("an IPv6 watch carries the sender and hop limit, which the kernel's filter cannot see; IPv4's does not need them", () => {
    const message = new Uint8Array([0x31, 51, 200, 1, 0, 100, 0, 0]);
    const src = ip("fe80::3");
    const [data, mask, from, ttl, age, limit] = watchOf({ raw: message, src, ttl: 255 }, 12.7, 3608.2);
    expect([data, from, ttl, age, limit]).toEqual([message, src.bytes, 255, 12, 3609]);
    expect([...mask]).toEqual(new Array(8).fill(1));
    const v4 = watchOf({ raw: ipv4Datagram(MASTER, MCAST4, message), src: MASTER, ttl: 255 }, 0, 100);
    expect([v4[2].length, v4[3]]).toEqual([0, -1]);
  });
});
