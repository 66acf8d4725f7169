// A master's periodic adverts come from its watcher child (the beacon), not
// from the daemon's JavaScript: on the wire they keep the interval while
// the daemon sleeps, they carry a new priority at once, they stop when the
// daemon is stopped (and the priority 0 follows), and a tracer's
// brief stops (`strace -p`, as bench/wakeups.mjs does) fire nothing. The
// same child renews the VIP's kernel lifetime, the daemon sleeping through
// that too, and renews nothing once it let go of a hung daemon's VIP. The
// wire is read by tshark on the lab's switch; timings are bounded loosely
// (bench/ measures them).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Capture } from "./capture";
import { FLOATGWD, must } from "./lab";
import { argvOf, type Router, rssKb, sleep, uci, useLab, VIP, waitFor } from "./routers";

const { lab, topology } = useLab();

const FAST = { version: "3", advert_int: "0.1" };

/** A's adverts on the switch, as [time in ms since the epoch, priority]. */
async function capture(sw: string, dir: string, during: () => Promise<void>): Promise<[number, number][]> {
  const wire = await Capture.start(lab, sw, "sw0", "ip proto 112 and src host 198.18.0.2", join(dir, "beacon.pcap"));
  await during();
  await wire.stop();
  return wire.fields("vrrp", ["frame.time_epoch", "vrrp.prio"]).map(([t, p]) => [Number(t) * 1000, Number(p)]);
}

/** How often the process went to sleep (it woke up as often). */
function sleeps(pid: number): number {
  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
}

/** A process's open descriptors: number → what /proc/PID/fd links to. */
function descriptors(pid: number): Map<number, string> {
  return new Map(readdirSync(`/proc/${pid}/fd`).map((fd) => [Number(fd), readlinkSync(`/proc/${pid}/fd/${fd}`)]));
}

/** The whole pages of each program's bytecode in the binary (the arrays
 * src/native/main.c loads), as [start, end) addresses, from the symbols of
 * its .debug twin (stripping moves nothing). */
function bytecodePages(): [string, number, number][] {
  const page = 4096;
  return must(["nm", "-S", `${FLOATGWD}.debug`]).split("\n")
    .map((line) => /^([0-9a-f]+) ([0-9a-f]+) R (qjsc_floatgw_cli|qjsc_floatgwd|qjsc_floatgw_tools)$/.exec(line))
    .filter((m) => m !== null)
    .map(([, at, size, name]) => {
      const start = parseInt(at!, 16), end = start + parseInt(size!, 16);
      return [name!, Math.ceil(start / page) * page, Math.floor(end / page) * page] as [string, number, number];
    });
}

/** A process's mappings as [start, end) addresses. */
function mappings(pid: number): [number, number][] {
  return readFileSync(`/proc/${pid}/maps`, "utf8").split("\n").filter(Boolean)
    .map((line) => line.split(" ")[0]!.split("-").map((hex) => parseInt(hex, 16)) as [number, number]);
}

async function masterAndBackup(): Promise<{ ns: { sw: string; c: string }; a: Router; b: Router; watcher: number }> {
  const { ns, a, b } = topology();
  a.startFloatgw(uci({ ...FAST, priority: "150" }));
  b.startFloatgw(uci({ ...FAST, priority: "100" }));
  await waitFor("A master, B backup", () => a.state() === "master" && a.has() && b.state() === "backup", 30_000);
  const [watcher] = await waitFor("A's watcher", () => (a.watchers().length === 1 ? a.watchers() : null));
  return { ns, a, b, watcher: watcher! };
}

describe("the master's beacon", () => {
  it("runs in a fresh process of the daemon's binary, as does the backup's listener: neither keeps the daemon's heap", async () => {
    const { a, b, watcher } = await masterAndBackup();
    const [listener] = await waitFor("B's listener", () => (b.listeners().length === 1 ? b.listeners() : null));
    for (const [router, child, name] of [[a, watcher, "floatgwd-watch"], [b, listener!, "floatgwd-listen"]] as const) {
      // A fork would have the daemon's argv, and its pages until the daemon rewrote them.
      expect(argvOf(child)).toEqual([name]);
      expect(readlinkSync(`/proc/${child}/exe`)).toBe(readlinkSync(`/proc/${router.pid}/exe`));
      expect(rssKb(child), `${name}'s RSS against its daemon's`).toBeLessThan(rssKb(router.pid) / 2);
    }
    // Both work: A's adverts keep B a backup, and B counts them (through its listener's page).
    const heard = b.instance()!.counters.advertsRx;
    await sleep(1000);
    expect(b.instance()!.counters.advertsRx - heard).toBeGreaterThanOrEqual(5);
    expect(b.state()).toBe("backup");
  });

  it("leaves each child only the descriptors it uses: none of the daemon's stdout, stderr or other files", async () => {
    const { a, b, watcher } = await masterAndBackup();
    const [listener] = await waitFor("B's listener", () => (b.listeners().length === 1 ? b.listeners() : null));
    for (const [router, child, name] of [[a, watcher, "floatgwd-watch"], [b, listener!, "floatgwd-listen"]] as const) {
      const daemonSockets = new Set([...descriptors(router.pid).values()].filter((t) => t.startsWith("socket:")));
      const held = descriptors(child);
      // The daemon's stdout and stderr are pipes to this test: a child
      // holding them would keep a log pipe open after the daemon is gone.
      expect(held.has(1) || held.has(2), `${name} holds fd 1 or 2: ${[...held].map(([fd, t]) => `${fd} ${t}`).join(", ")}`).toBe(false);
      // Its own end of the socket pair with the daemon, the daemon's
      // sockets it sends or listens on and, for the watcher, the daemon's
      // /proc stat file (its image, the memfd it got as stdin, is closed
      // once mapped: src/native/native.c, run_child).
      const own = [...held.values()].filter((t) => t.startsWith("socket:") && !daemonSockets.has(t));
      expect(own, `${name}'s sockets the daemon does not hold`).toHaveLength(1);
      const files = [...held.values()].filter((t) => !t.startsWith("socket:"));
      expect(files, name).toEqual(name === "floatgwd-watch" ? [`/proc/${router.pid}/stat`] : []);
    }
  });

  it("leaves no page of the programs' bytecode mapped in the daemons or their children, which never read it again", async () => {
    const { a, b, watcher } = await masterAndBackup();
    const [listener] = await waitFor("B's listener", () => (b.listeners().length === 1 ? b.listeners() : null));
    const programs = bytecodePages();
    expect(programs.map(([name]) => name).sort()).toEqual(["qjsc_floatgw_cli", "qjsc_floatgw_tools", "qjsc_floatgwd"]);
    // A fault on the read-only data next to a mapped array would map 64 KB
    // around it, bytecode too (the kernel's fault-around): the daemon
    // unmaps the arrays once loaded, a child before its loop (main.c).
    for (const [pid, who] of [[a.pid, "A's daemon"], [b.pid, "B's daemon"], [watcher, "A's watcher"], [listener!, "B's listener"]] as const) {
      const held = mappings(pid);
      for (const [name, start, end] of programs) {
        const over = held.filter(([from, to]) => from < end && to > start);
        expect(over, `${who} maps pages of ${name}`).toEqual([]);
      }
    }
  });

  it("keeps A's adverts at the interval on the wire while A's daemon sleeps through them, and counts them", async () => {
    const { ns, a, watcher } = await masterAndBackup();
    // The takeover's gratuitous ARP repeat (5 s after) is the daemon's last planned wake-up.
    await sleep(5500);
    const sentBefore = a.instance()!.counters.advertsTx;
    let asleep = 0;
    const adverts = await capture(ns.sw, a.dir, async () => {
      const before = sleeps(a.pid);
      await sleep(3000);
      asleep = sleeps(a.pid) - before;
    });
    const sent = a.instance()!.counters.advertsTx - sentBefore;
    expect(adverts.length).toBeGreaterThanOrEqual(25); // ~33 in 3.3 s
    expect(new Set(adverts.map(([, p]) => p))).toEqual(new Set([150]));
    const gaps = adverts.slice(1).map(([t], i) => t - adverts[i]![0]).sort((x, y) => x - y);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThan(80);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(120);
    // 30 adverts, and the daemon woke (nearly) never: its JavaScript timer
    // would have woken it for each.
    expect(asleep).toBeLessThan(10);
    // Status counts the watcher's adverts: what went out during the capture and a little more.
    expect(sent).toBeGreaterThanOrEqual(adverts.length - 2);
    expect(sent).toBeLessThan(adverts.length + 20);
    expect(a.watchers()).toEqual([watcher]);
  });

  // A look at a daemon asleep in its event loop is one read of its CPU
  // clock: /proc/PID/stat is read again only once the daemon ran since
  // the last read (a stop runs too: the test after the next finds it).
  // /proc/PID/io counts the child's reads.
  it("looks at a sleeping daemon through its CPU clock, and reads its /proc stat again only after it ran", async () => {
    const { a, watcher } = await masterAndBackup();
    // The takeover's gratuitous ARP repeat (5 s after) is the daemon's last planned wake-up.
    await sleep(5500);
    const reads = () => Number(/^syscr: (\d+)/m.exec(readFileSync(`/proc/${watcher}/io`, "utf8"))![1]);
    const idleFrom = reads();
    await sleep(2000);
    // 2 s at 100 ms adverts: ten looks, every other advert.
    expect(reads() - idleFrom).toBeLessThanOrEqual(1);
    const busyFrom = reads();
    // Each status request wakes the daemon; the look after it reads /proc.
    for (let i = 0; i < 8; i++) {
      expect(a.state()).toBe("master");
      await sleep(250);
    }
    expect(reads() - busyFrom).toBeGreaterThanOrEqual(4);
    expect(a.watchers()).toEqual([watcher]);
  });

  it("carries a new priority from the next advert, through a new plan", async () => {
    const { ns, a, b, watcher } = await masterAndBackup();
    const adverts = await capture(ns.sw, a.dir, async () => {
      a.reload(uci({ ...FAST, priority: "170" }));
      await waitFor("B hears priority 170", () => b.instance()?.peer?.priority === 170);
      await sleep(1000);
    });
    const changed = adverts.findIndex(([, p]) => p === 170);
    expect(changed).toBeGreaterThan(0);
    // From then on every advert says 170, still at the interval.
    expect(new Set(adverts.slice(changed).map(([, p]) => p))).toEqual(new Set([170]));
    expect(adverts.length - changed).toBeGreaterThanOrEqual(7);
    await waitFor("a new watcher with the new plan", () => a.watchers().length === 1 && a.watchers()[0] !== watcher);
    expect(a.state()).toBe("master");
  });

  // The beacon stands in for the daemon only while the daemon could send
  // its adverts itself: a stopped daemon's falls silent within one
  // interval (as keepalived's hung master does at once), and the priority
  // 0 follows within two (deadman.ts, livenessFor), so B takes over well
  // within its own Master_Down_Interval of A's last advert. The old 1.5 s
  // silence kept the beacon on for 0.3 to 1.5 s after the stop.
  it("falls silent when the daemon is stopped, and resigns for it within a few Master_Down_Intervals", async () => {
    const { ns, a, b } = await masterAndBackup();
    const mdiB = 3 * 100 + (256 - 100) / 256 * 100; // 361 ms
    let stoppedAt = 0;
    const adverts = await capture(ns.sw, a.dir, async () => {
      stoppedAt = Date.now();
      a.signal("SIGSTOP");
      await waitFor("B master", () => b.state() === "master" && b.has(), 10_000);
      await sleep(1000);
    });
    try {
      const zero = adverts.findIndex(([, p]) => p === 0);
      expect(zero).toBeGreaterThan(0);
      // At most one advert at priority 150 once the signal had landed (the
      // child looks every other advert; 20 ms: the capture's stamps against
      // our clock, and a send under way).
      expect(adverts.slice(0, zero).filter(([t]) => t > stoppedAt + 20).length).toBeLessThanOrEqual(1);
      expect(adverts.slice(zero + 1)).toEqual([]);
      expect(adverts[zero]![0] - stoppedAt).toBeLessThan(3 * mdiB);
      expect(b.instance()!.transitions.at(-1)?.reason).toBe("priority 0 from master 198.18.0.2");
    } finally {
      a.signal("SIGCONT");
    }
  });

  it("fires nothing while `strace -p` stops the daemon at each of its system calls", async () => {
    const { a, b, watcher } = await masterAndBackup();
    const strace = lab.start(a.ns, ["strace", "-f", "-qq", "-o", "/dev/null", "-p", String(a.pid)]);
    try {
      // The status requests below make the traced daemon run and stop again and again.
      for (let i = 0; i < 12; i++) {
        expect(a.state()).toBe("master");
        await sleep(250);
      }
    } finally {
      strace.kill("SIGINT");
      await new Promise((r) => strace.on("exit", r));
    }
    expect(a.watchers()).toEqual([watcher]);
    expect(b.instance()!.counters.priorityZeroRx).toBe(0);
    expect(b.state()).toBe("backup");
    expect(a.log).not.toContain("dead-man switch fired");
  });

  it("renews the VIP's kernel lifetime while the daemon sleeps through it; a hung daemon's watcher, once it let go, renews nothing", async () => {
    const { a, b } = await masterAndBackup();
    // The takeover's gratuitous ARP repeat (5 s after) is the daemon's last planned wake-up.
    await sleep(5500);
    // 90 s renewed every 30 s: the lifetime left goes back up at a renewal.
    // Each look brackets the lifetime's reading between two counts of the
    // daemon's wake-ups: the renewal falls between the counts.
    let before = sleeps(a.pid);
    let low = a.vipLifetime() ?? 0;
    expect(low).toBeGreaterThan(55);
    const deadline = Date.now() + 40_000;
    let woke = -1;
    while (woke < 0) {
      if (Date.now() > deadline) throw new Error(`no renewal in 40 s (lifetime left ${low} s)`);
      await sleep(300);
      const left = a.vipLifetime() ?? 0;
      const after = sleeps(a.pid);
      if (left > low) woke = after - before;
      low = left;
      before = after;
    }
    const renewedAt = Date.now();
    expect(low).toBeGreaterThan(85);
    expect(woke).toBe(0);
    a.signal("SIGSTOP");
    try {
      await waitFor("B master, A without the VIP", () => b.state() === "master" && b.has() && !a.has(), 10_000);
      expect(a.watchers()).toEqual([]);
      // Past the next renewal's due time, A never had the VIP back.
      while (Date.now() < renewedAt + 31_000) {
        expect(a.has()).toBe(false);
        await sleep(500);
      }
    } finally {
      a.signal("SIGCONT");
    }
  });

  it("deletes the VIP again should a watcher told to leave have renewed it after its removal", async () => {
    const { a, b, watcher } = await masterAndBackup();
    // A watcher held between its wake and the daemon's disarm message
    // (SIGSTOP here) could renew the VIP just after the daemon deleted it.
    process.kill(watcher, "SIGSTOP");
    try {
      b.reload(uci({ ...FAST, priority: "200" }));
      await waitFor("B master, A backup without the VIP", () => b.state() === "master" && a.state() === "backup" && !a.has(), 10_000);
      // Such a late renewal puts the VIP back for 90 s (done by hand here).
      must(["ip", "-n", a.ns, "addr", "add", `${VIP}/24`, "dev", "br-lan", "valid_lft", "90", "preferred_lft", "90"]);
      expect(a.has()).toBe(true);
    } finally {
      process.kill(watcher, "SIGCONT");
    }
    await waitFor("A's daemon deletes it again once that watcher is gone", () => a.log.includes(`deleted ${VIP} again`), 10_000);
    expect(a.has()).toBe(false);
    expect(a.watchers()).not.toContain(watcher);
    expect(a.state()).toBe("backup");
  });
});
