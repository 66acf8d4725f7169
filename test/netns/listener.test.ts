// The backup's listener (src/daemon/listener.ts): while a floatgwd backup
// follows a steady master, the kernel hands copies of the master's advert
// to a C child (floatgwd-listen) instead of the daemon, which then does not
// wake per advert; the core still decides every takeover. Real kernel
// filters, sockets and timestamps; generous bounds, no timing asserted
// (bench/wakeups.mjs measures the cost).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { must } from "./lab";
import { type Router, sleep, uci, useLab, VIP, VIP6, waitFor } from "./routers";

const { topology } = useLab();

const FAST = { version: "3", advert_int: "0.1" };

/** Timeslices (wake-ups) the process has had so far (/proc/PID/schedstat). */
function timeslices(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(" ")[2]);
}

/** The times the process went to sleep so far (voluntary context switches):
 * one per wake-up, however often a loaded CPU preempted it meanwhile. */
function sleeps(pid: number): number {
  return Number(/voluntary_ctxt_switches:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
}

function daemonPid(r: Router): number {
  const pid = r.status()?.pid;
  if (pid === undefined) throw new Error(`no status from ${r.ns}`);
  return pid;
}

const FAMILIES = [
  { family: "IPv4", vip: VIP, section: (priority: string) => uci({ ...FAST, priority }), master: /^198\.18\.0\.2$/ },
  { family: "IPv6", vip: VIP6, section: (priority: string) => uci({ ...FAST, priority, name: "lan6", address: [`${VIP6}/64`] }), master: /^fe80::/ },
];

/** A (priority 150) master, B (100) its backup with a listener: the
 * listener's pid and B's takeovers so far (it may have been master for a
 * moment at start-up, before A's first advert). */
async function following(conf: (priority: string) => string) {
  const { ns, a, b } = topology();
  a.startFloatgw(conf("150"));
  b.startFloatgw(conf("100"));
  await waitFor("A master, B backup", () => a.state() === "master" && b.state() === "backup" && b.instance()?.master === "198.18.0.2", 30_000);
  const [listener] = await waitFor("B's listener", () => (b.listeners().length === 1 ? b.listeners() : null), 10_000);
  return { ns, a, b, listener: listener!, becameMaster: b.instance()!.counters.becameMaster };
}

const fast = (priority: string) => uci({ ...FAST, priority });

describe("the backup's listener", () => {
  it.each(FAMILIES)("$family: the backup's daemon sleeps through its master's adverts, counts them, and takes over when the master's port goes down", async ({ vip, section, master }) => {
    const { ns, a, b } = topology();
    a.startFloatgw(section("150"));
    b.startFloatgw(section("100"));
    await waitFor("A master, B backup following it", () => a.state() === "master" && b.state() === "backup" && master.test(b.instance()?.master ?? ""), 30_000);
    await waitFor("B's listener", () => b.listeners().length === 1, 10_000);
    await sleep(500); // settled: what reached the daemon before the filter was read
    const pid = daemonPid(b);
    // (B may have been master for a moment at the start, before A's first advert.)
    const { advertsRx: rxBefore, becameMaster } = b.instance()!.counters;
    const slicesBefore = timeslices(pid);
    await sleep(4000); // 40 adverts
    const woke = timeslices(pid) - slicesBefore;
    // Without the listener the daemon wakes at least once per advert (40);
    // with it, only for its own business (status requests, netlink).
    expect(woke, `daemon wake-ups over 40 adverts`).toBeLessThan(15);
    // The adverts the child took still count, within a Master_Down_Interval.
    await waitFor("B's count of adverts received up by 30", () => b.instance()!.counters.advertsRx - rxBefore >= 30, 5_000);
    // And so does when the master was last heard (the Master_Down_Interval is 0.36 s).
    expect(b.instance()!.peer!.lastSeenMsAgo).toBeLessThan(2000);
    expect(b.state()).toBe("backup");
    expect(b.instance()!.counters.becameMaster).toBe(becameMaster);
    must(["ip", "-n", ns.sw, "link", "set", "pa", "down"]);
    await waitFor("B master", () => b.state() === "master" && b.has(vip), 10_000);
    expect(b.instance()!.transitions.at(-1)?.reason).toMatch(/master down timer expired/);
    await waitFor("B's listener gone with its backup role", () => b.listeners().length === 0, 10_000);
  });

  it("a master's priority 0 reaches the backup's daemon at once, past the listener", async () => {
    // 1 s adverts: a Master_Down_Interval of 3.6 s, so a takeover well
    // before it can only come from the priority 0.
    const { a, b } = await following((priority) => uci({ version: "3", advert_int: "1", priority }));
    await sleep(2500);
    const t0 = Date.now();
    expect(await a.stopFloatgw("SIGTERM")).toBe(0);
    await waitFor("B master", () => b.state() === "master", 10_000);
    expect(Date.now() - t0, "B took over before its Master_Down_Interval").toBeLessThan(3000);
    const bi = b.instance()!;
    expect(bi.transitions.at(-1)?.reason).toMatch(/^priority 0 from master 198\.18\.0\.2/);
    expect(bi.counters.priorityZeroRx).toBe(1);
  });

  it("a killed listener is replaced, and the backup carries on without a transition", async () => {
    const { a, b, listener: first, becameMaster } = await following(fast);
    process.kill(first, "SIGKILL");
    await waitFor("another listener", () => b.listeners().length === 1 && b.listeners()[0] !== first, 10_000);
    await sleep(1000);
    expect(b.state()).toBe("backup");
    expect(b.instance()!.counters.becameMaster).toBe(becameMaster);
    expect(a.state()).toBe("master");
  });

  it("a stopped listener is found out at once (SIGCHLD), killed and replaced; the master's silence is still seen", async () => {
    const { ns, b, listener: first, becameMaster } = await following(fast);
    process.kill(first, "SIGSTOP");
    try {
      // The kernel tells the daemon of the stop: no look of its own (one
      // every thirty Master_Down_Intervals, 10.8 s, before).
      await waitFor("another listener", () => b.listeners().length === 1 && b.listeners()[0] !== first, 5_000);
      await waitFor("the stopped one killed", () => !b.listeners().includes(first), 5_000);
      await waitFor("the daemon's word on it", () => b.log.includes(`the listener (pid ${first}) was stopped`), 5_000);
      expect(b.state()).toBe("backup");
      expect(b.instance()!.counters.becameMaster).toBe(becameMaster);
      must(["ip", "-n", ns.sw, "link", "set", "pa", "down"]);
      await waitFor("B master", () => b.state() === "master", 10_000);
      expect(b.instance()!.transitions.at(-1)?.reason).toMatch(/master down timer expired/);
    } finally {
      try {
        process.kill(first, "SIGKILL"); // if the daemon did not
      } catch {
        // gone
      }
    }
  });

  it("the backup's daemon does not wake at all while its master is steady, yet follows its new priority and takes over when it falls silent", async () => {
    const { ns, a, b, becameMaster } = await following(fast);
    const pid = daemonPid(b);
    await sleep(2000); // the status request's wake-ups over, on a loaded CPU too
    const before = sleeps(pid);
    // 230 adverts: the daemon once looked at its child every thirty
    // Master_Down_Intervals (10.8 s here), a wake-up each at least (3
    // sleeps in this window; 0 now). Counted as sleeps, so that a
    // preemption on a loaded CPU does not count (CI once saw 2 timeslices);
    // one stray wake is allowed.
    await sleep(23_000);
    expect(sleeps(pid) - before, "B's daemon's wake-ups over 230 adverts").toBeLessThanOrEqual(1);
    a.reload(fast("140"));
    await waitFor("B following A's new priority", () => b.instance()?.peer?.priority === 140, 10_000);
    expect(b.state()).toBe("backup");
    await waitFor("B's listener on the new advert", () => b.listeners().length === 1, 10_000);
    must(["ip", "-n", ns.sw, "link", "set", "pa", "down"]);
    await waitFor("B master", () => b.state() === "master", 10_000);
    expect(b.instance()!.transitions.at(-1)?.reason).toMatch(/master down timer expired/);
    expect(b.instance()!.counters.becameMaster).toBe(becameMaster + 1);
  });
});
