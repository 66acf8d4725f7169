// A hostile host on the LAN (the lab's client namespace) attacks the two
// routers the way issue 14 found they could be attacked, with raw sockets
// (test/lab/attack.py): each test asserts that the attack changes nothing
// that matters. VRRPv3 at 100 ms adverts; generous deadlines. The only
// timings asserted are coarse ones the protocol defines (an answer "at
// once", against a scheduled advert up to 100 ms away); bench/ measures time.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Capture } from "./capture";
import { FLOATGWD, ROOT } from "./lab";
import { type Router, sleep, uci, useLab, VIP, waitFor, withGlobal } from "./routers";

const { lab, topology } = useLab();

const FAST = { version: "3", advert_int: "0.1" };
const SECRET = "lab-lease-secret-0123";
const ATTACK = `${ROOT}/test/lab/attack.py`;
const ATTACKER = "198.18.0.100";

interface LeaseChannel {
  peer: string | null;
  counters: { rx: number; rejected: Record<string, number> };
  leases: { mac: string; ip: string }[];
}
const channel = (r: Router): LeaseChannel | null =>
  (r.status() as unknown as { leaseChannel?: LeaseChannel | null } | null)?.leaseChannel ?? null;

/** Runs the attacker in the client namespace; returns its stdout. */
function attack(ns: string, args: string[], timeoutMs = 60_000): string {
  const r = lab.exec(ns, ["python3", ATTACK, ...args], timeoutMs);
  if (r.status !== 0) throw new Error(`attack.py ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** A pair replicating leases (dhcp '1', a secret, hooks off): the lease channel runs. */
function leasePair(opts: Record<string, string | string[]> = {}) {
  const r = topology();
  const conf = (priority: string) =>
    withGlobal(uci({ ...FAST, priority, interface: "lan", dhcp: "1", ...opts }), { secret: SECRET, hotplug: "0" });
  r.a.startFloatgw(conf("150"));
  r.b.startFloatgw(conf("100"));
  return r;
}

/** Waits for A master and B following it. Returns how many times either
 * router has become master since: an attack must not move the VIP, while
 * the start may (started together, B takes the VIP first when A starts
 * late on a loaded machine, and A then preempts it: the protocol's doing). */
async function masterAndBackup(a: Router, b: Router): Promise<() => number> {
  await waitFor("A master, B backup following it", () =>
    a.state() === "master" && b.state() === "backup" && b.instance()?.master === "198.18.0.2", 30_000);
  const becameMaster = () => a.instance()!.counters.becameMaster + b.instance()!.counters.becameMaster;
  const atStart = becameMaster();
  return () => becameMaster() - atStart;
}

/** A (150) and B (100) at `timers` without the takeover's second ARP burst
 * (every ARP captured then answers the attack), A master and B following
 * it, and the switch captured with `bpf` from then on, into `pcap`. */
async function pairOnTheWire(timers: Record<string, string>, bpf: string, pcap: string) {
  const r = topology();
  const conf = (priority: string) => uci({ ...timers, priority, garp_repeat_delay: "0" });
  r.a.startFloatgw(conf("150"));
  r.b.startFloatgw(conf("100"));
  const takeovers = await masterAndBackup(r.a, r.b);
  return { ...r, takeovers, wire: await Capture.start(lab, r.ns.sw, "sw0", bpf, join(r.a.dir, pcap)) };
}

describe("a hostile LAN host", () => {
  it("cannot stop the master advertising by flooding the lease channel", async () => {
    const { ns, a, b } = leasePair();
    const takeovers = await masterAndBackup(a, b);
    await waitFor("the lease channel up on A", () => channel(a)?.counters.rx, 30_000);
    const sentBefore = a.instance()!.counters.advertsTx;
    const t0 = Date.now();
    // In parallel for 6 s: 64 KiB datagrams with the channel's magic from
    // the attacker's own address, 200 a second (the attack sent 30),
    // and 1400-byte ones forged from B's address (they pass the source check
    // and cost a MAC check each), 2000 a second.
    const flood = (src: string, size: string, rate: string) =>
      lab.start(ns.c, ["python3", ATTACK, "flood", "eth0", src, "198.18.0.2", "7429", "--size", size, "--rate", rate, "--seconds", "6", "--magic"]);
    const big = flood(ATTACKER, "65000", "200");
    const forged = flood("198.18.0.3", "1400", "2000");
    const counts = await Promise.all([big, forged].map((p) => new Promise<number>((resolve) => {
      let out = "";
      p.stdout?.on("data", (d: Buffer) => (out += d.toString()));
      p.on("exit", () => resolve(Number(out.trim())));
    })));
    const seconds = (Date.now() - t0) / 1000;
    expect(counts[0]).toBeGreaterThan(100);
    expect(counts[1]).toBeGreaterThan(1000);
    // The backup never heard the master fall silent for its 360 ms Master_Down_Interval.
    expect(takeovers(), JSON.stringify(b.instance()!.transitions)).toBe(0);
    expect(a.state()).toBe("master");
    const sent = a.instance()!.counters.advertsTx - sentBefore;
    expect(sent, `${sent} adverts in ${seconds} s`).toBeGreaterThan(seconds * 10 * 0.8);
    // What A read of it was refused (which kinds depends on what the kernel
    // dropped first: fragments it could not reassemble, or a full buffer
    // while the MAC budget was spent).
    const rejected = channel(a)!.counters.rejected;
    expect((rejected.truncated ?? 0) + (rejected["bad-mac"] ?? 0) + (rejected.stranger ?? 0)).toBeGreaterThan(0);
  });

  it("does not become the lease peer by sending adverts the routers drop", async () => {
    const { ns, a, b } = leasePair();
    await masterAndBackup(a, b);
    await waitFor("B's lease channel talking to A", () => channel(b)?.peer === "198.18.0.2" && channel(b)?.counters.rx, 30_000);
    const listener = lab.start(ns.c, ["python3", ATTACK, "listen", ATTACKER, "7429", "5"]);
    let heard = "";
    listener.stdout?.on("data", (d: Buffer) => (heard += d.toString()));
    const done = new Promise((r) => listener.on("exit", r));
    await sleep(300);
    // Decodable adverts for VRID 51 that acceptance drops: TTL 64, multicast and unicast to both routers.
    for (const dst of ["224.0.0.18", "198.18.0.2", "198.18.0.3"])
      attack(ns.c, ["advert", "eth0", ATTACKER, dst, "--prio", "250", "--ttl", "64", "--count", "40", "--rate", "20"]);
    await done;
    expect(Number(heard.trim())).toBe(0);
    expect(channel(b)?.peer).toBe("198.18.0.2");
    expect(b.instance()?.peer?.address).toBe("198.18.0.2");
    expect(b.instance()!.counters.drops["bad-ttl"]).toBeGreaterThanOrEqual(80);
  });

  it("cannot move the VIP in unicast mode: only the configured peer is heard, the group is never joined", async () => {
    const r = topology();
    r.a.startFloatgw(uci({ ...FAST, priority: "150", unicast_peer: ["198.18.0.3"] }));
    r.b.startFloatgw(uci({ ...FAST, priority: "100", unicast_peer: ["198.18.0.2"] }));
    const { ns, a, b } = r;
    const takeovers = await masterAndBackup(a, b);
    for (const n of [ns.a, ns.b]) expect(lab.exec(n, ["ip", "maddr", "show", "dev", "br-lan"]).stdout).not.toContain("224.0.0.18");
    // Priority 254 with TTL 255, unicast to each router and to the group.
    for (const dst of ["198.18.0.3", "198.18.0.2", "224.0.0.18"])
      attack(ns.c, ["advert", "eth0", ATTACKER, dst, "--prio", "254", "--count", "30", "--rate", "20"]);
    await sleep(500);
    expect(a.state()).toBe("master");
    expect(a.has()).toBe(true);
    expect(b.state()).toBe("backup");
    expect(b.instance()?.master).toBe("198.18.0.2");
    // The kernel drops them before floatgwd sees them (a socket filter on
    // the peers' addresses), so that no flood can crowd A's adverts out.
    for (const r of [a, b]) expect(r.instance()!.counters.drops).toEqual({});
    expect(takeovers(), JSON.stringify([a.instance()!.transitions, b.instance()!.transitions])).toBe(0);
  });

  it("in multicast mode cannot get an advert with TTL below 255 accepted, unicast-addressed or not", async () => {
    const r = topology();
    r.a.startFloatgw(uci({ ...FAST, priority: "150" }));
    r.b.startFloatgw(uci({ ...FAST, priority: "100" }));
    const { ns, a, b } = r;
    await masterAndBackup(a, b);
    for (const dst of ["198.18.0.3", "198.18.0.2"])
      attack(ns.c, ["advert", "eth0", ATTACKER, dst, "--prio", "254", "--ttl", "64", "--count", "20", "--rate", "20"]);
    await sleep(500);
    expect(a.state()).toBe("master");
    expect(b.instance()?.master).toBe("198.18.0.2");
    expect(b.instance()!.counters.drops["bad-ttl"]).toBe(20);
    expect(a.instance()!.counters.drops["bad-ttl"]).toBe(20);
  });

  it("gets a lower master's advert answered at once, but cannot make the master burst adverts or ARPs with a flood of them", async () => {
    const { ns, a, b, wire, takeovers } = await pairOnTheWire(FAST, "ip proto 112 or arp", "lower.pcap");
    // Twelve adverts of a lower master (priority 50, TTL 255) at random
    // moments, then 600 of them about a millisecond apart.
    for (let i = 0; i < 12; i++) {
      attack(ns.c, ["advert", "eth0", ATTACKER, "224.0.0.18", "--prio", "50"]);
      await sleep(100 + Math.random() * 200);
    }
    attack(ns.c, ["advert", "eth0", ATTACKER, "224.0.0.18", "--prio", "50", "--count", "600", "--rate", "1000"]);
    await sleep(300);
    await wire.stop();
    const ours = wire.times("vrrp && ip.src == 198.18.0.2");
    const forged = wire.times(`vrrp && ip.src == ${ATTACKER}`);
    const arps = wire.times(`arp.isgratuitous == 1 && arp.src.proto_ipv4 == ${VIP}`);
    expect(forged).toHaveLength(612);
    const after = (t: number) => ours.find((o) => o >= t)!;
    const before = (t: number) => ours.filter((o) => o < t).at(-1)!;

    // Each single one is answered at once (within a millisecond here),
    // unless our latest advert is under a quarter interval (25 ms) old.
    // Unanswered, it would be followed by the scheduled advert, 0-73 ms later.
    const answerable = forged.slice(0, 12).filter((f) => f - before(f) > 27);
    expect(answerable.length, "12 random moments, 3 of them past a quarter interval").toBeGreaterThanOrEqual(3);
    for (const f of answerable) expect(after(f) - f, `answer to the lower advert at ${f}`).toBeLessThan(20);

    // Under the flood: an answer each quarter interval or so, not one per
    // forged advert, nor only the scheduled adverts. The watcher keeps its
    // schedule for up to 100 ms after a re-phase (watcher.ts), so about one
    // advert in five is that schedule's: up to 5 per interval, 6 allowed.
    const [start, end] = [forged[12]!, forged.at(-1)!];
    const during = ours.filter((o) => o > start && o <= end);
    const gaps = during.slice(1).map((o, i) => o - during[i]!);
    const intervals = (end - start) / 100;
    expect(during.length, `our adverts in ${end - start} ms of flood`).toBeLessThanOrEqual(6 * intervals + 3);
    expect(Math.max(...gaps), "the longest gap between our adverts under the flood").toBeLessThan(45);
    // And one announcement of the VIP (garp_count 5) per quarter interval
    // at most, not one per forged advert.
    const announced = arps.filter((t) => t > start && t <= end + 50).length;
    expect(announced, "gratuitous ARPs under the flood").toBeGreaterThan(0);
    expect(announced, "gratuitous ARPs under the flood").toBeLessThanOrEqual(5 * (5 * intervals + 3));
    expect(a.state()).toBe("master");
    expect(takeovers(), JSON.stringify(b.instance()!.transitions)).toBe(0);
  });

  it("at 10 ms adverts, gets a lower master's adverts answered without a burst of the master's own", async () => {
    const { ns, wire } = await pairOnTheWire({ version: "3", advert_int: "0.01" }, "ip proto 112", "rephase.pcap");
    // Two lower adverts 15 ms apart, three times: each answer re-phases
    // A's beacon (the second lands half an interval after A's advert, so
    // it is answered too), and the second comes within the 100 ms in which
    // the watcher is not forked again, so the daemon sends the new schedule
    // itself meanwhile (watcher.ts). Its timer once ran short of the
    // schedule's fractional milliseconds and sent 12 to 56 adverts in a
    // spin, every interval, for those 100 ms.
    for (let i = 0; i < 3; i++) {
      attack(ns.c, ["advert", "eth0", ATTACKER, "224.0.0.18", "--prio", "50", "--count", "2", "--rate", "66.7"]);
      await sleep(400);
    }
    await wire.stop();
    const ours = wire.times("vrrp && ip.src == 198.18.0.2");
    const forged = wire.times(`vrrp && ip.src == ${ATTACKER}`);
    expect(forged).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) {
      const from = forged[i]!;
      // 200 ms: 20 on the schedule, up to 10 more of the old watcher's
      // until it is replaced, the two answers, and some slack.
      const sent = ours.filter((t) => t >= from && t < from + 200).length;
      expect(sent, `A's adverts in the 200 ms from the lower adverts at ${from}`).toBeLessThanOrEqual(40);
    }
    // Not that B never took over: at 10 ms adverts a loaded CI machine can
    // starve it past its 36 ms Master_Down_Interval (it did once).
  });

  it("cannot pile up hooks with a flood of priority 0, nor log one line per forged source", async () => {
    const r = topology();
    const hookLog = join(r.b.dir, "hooks.log");
    const hook = join(r.b.dir, "hook.sh");
    writeFileSync(hook, `#!/bin/sh\necho "$ACTION" >> ${hookLog}\nsleep 1.5\necho "done $ACTION" >> ${hookLog}\n`);
    chmodSync(hook, 0o755);
    r.a.startFloatgw(uci({ ...FAST, priority: "150" }));
    r.b.startFloatgw(withGlobal(uci({ ...FAST, priority: "100" }), { hotplug: hook }));
    const { ns, a, b } = r;
    await masterAndBackup(a, b);
    await waitFor("B's first hook done", () => existsSync(hookLog) && readFileSync(hookLog, "utf8").includes("done backup"), 30_000);
    // Priority 0 in A's name (TTL 255, A's source address), 7 a second for
    // 10 s: each one that lands more than Skew_Time (60 ms) before A's next
    // advert makes B take over until A preempts it back. (7 a second drifts
    // across A's 100 ms advert phase; 5 a second could stay locked to a
    // phase where none lands early enough.)
    attack(ns.c, ["advert", "eth0", "198.18.0.2", "198.18.0.3", "--prio", "0", "--count", "70", "--rate", "7"]);
    // Takeovers on priority 0, as the transition history gives their reasons
    // (a takeover for another reason would be no doing of this attack).
    const took = b.instance()!.transitions.filter((t) => t.to === "master" && t.reason.startsWith("priority 0 from")).length;
    expect(took).toBeGreaterThan(0);
    expect(took, JSON.stringify(b.instance()!.transitions)).toBeLessThanOrEqual(3);
    // At most the running hook and one waiting per instance: all done within
    // two hook durations, and the last one says what B is now.
    await waitFor("B backup, its hooks quiet", () => {
      const lines = readFileSync(hookLog, "utf8").trim().split("\n");
      return b.state() === "backup" && lines.at(-1) === "done backup";
    }, 5_000);
    const ran = readFileSync(hookLog, "utf8").trim().split("\n").filter((l) => !l.startsWith("done"));
    expect(ran.length).toBeLessThanOrEqual(1 + 2 * b.instance()!.counters.becameMaster);
    await sleep(2000);
    expect(readFileSync(hookLog, "utf8").trim().split("\n").filter((l) => !l.startsWith("done"))).toHaveLength(ran.length);
    expect(a.state()).toBe("master");
    // 300 adverts with TTL 64, each from another source address: one log line.
    attack(ns.c, ["advert", "eth0", ATTACKER, "224.0.0.18", "--ttl", "64", "--count", "300", "--rate", "500", "--spread"]);
    await waitFor("all 300 counted", () => b.instance()?.counters.drops["bad-ttl"] === 300, 10_000);
    await sleep(300);
    expect(b.log.split("\n").filter((l) => l.includes("has TTL 64")), b.log).toHaveLength(1);
  });

  it("cannot replay the lease channel: not across restarts, not by evicting the session", async () => {
    const { ns, a, b } = leasePair();
    await masterAndBackup(a, b);
    await waitFor("the channel up both ways", () => channel(a)?.counters.rx && channel(b)?.counters.rx, 30_000);
    // What A sends B, recorded on the switch (an attacker able to see it).
    const wire = await Capture.start(lab, ns.sw, "pa", "udp dst port 7429 and src host 198.18.0.2", join(a.dir, "lease.pcap"));
    const X = ["02:00:00:00:00:77", "198.18.0.177"];
    const lease = (op: string) => expect(a.ctl(["lease", op, ...X]).status).toBe(0);
    lease("add");
    await waitFor("B holds X", () => channel(b)?.leases.some((l) => l.mac === X[0]), 10_000);
    lease("del");
    await waitFor("B dropped X", () => !channel(b)?.leases.some((l) => l.mac === X[0]), 10_000);
    // Eight restarts of A, each a new boot id with hellos on the wire.
    const config = a.config;
    for (let i = 0; i < 8; i++) {
      await a.stopFloatgw("SIGKILL");
      a.startFloatgw(config);
      await waitFor(`B connected to A's boot ${i + 2}`, () => b.log.split("lease channel: peer 198.18.0.2").length - 1 >= i + 2, 30_000);
    }
    lease("add");
    await waitFor("B holds X again", () => channel(b)?.leases.some((l) => l.mac === X[0]), 10_000);
    await sleep(1500); // dumpcap writes in batches
    await wire.stop();
    const payloads = wire.fields("udp", ["udp.payload"]).map(([p]) => p!.replace(/:/g, "").trim()).filter(Boolean);
    expect(payloads.length).toBeGreaterThan(10);
    const before = channel(b)!;
    // Everything again, in A's name: old hellos of eight boots, the del, the rest.
    attack(ns.c, ["replay", "eth0", "198.18.0.2", "198.18.0.3", "7429", ...payloads]);
    // B checks their MACs within its CPU budget for them (MAC_BUDGET_MS in
    // lease-sync.ts): on a slow or loaded machine it leaves the rest in the
    // socket's buffer for a while, so the count is waited for.
    const refused = (c: LeaseChannel) => (c.counters.rejected.replay ?? 0) + (c.counters.rejected["no-session"] ?? 0);
    await waitFor("every replay refused", () => refused(channel(b)!) - refused(before) >= payloads.length - 2, 15_000).catch(() => {});
    await sleep(500);
    const after = channel(b)!;
    expect(after.leases.some((l) => l.mac === X[0])).toBe(true);
    expect(refused(after) - refused(before), JSON.stringify({ before: before.counters, after: after.counters })).toBeGreaterThanOrEqual(payloads.length - 2);
    expect(after.peer).toBe("198.18.0.2");
    // The session with the running A goes on.
    const rx = after.counters.rx;
    await waitFor("B hears A's next hello", () => channel(b)!.counters.rx > rx, 10_000);
  });
});

describe("a local user", () => {
  it("cannot use the control socket or read the leases whatever the umask, nor make floatgwd write through a planted link", async () => {
    const { a } = topology();
    const run = join(a.dir, "run");
    mkdirSync(run, { recursive: true });
    // The temporary name the daemon used to write state.json through, planted
    // as a symlink to a file the daemon must never touch.
    const victim = join(a.dir, "victim");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, join(run, "state.json.tmp"));
    a.startFloatgw(uci({ ...FAST, priority: "150" }), ["sh", "-c", 'umask 000; exec "$0" "$@"', FLOATGWD]);
    await waitFor("A master", () => a.state() === "master");
    for (const f of ["floatgwd.sock", "state.json"]) expect((statSync(join(run, f)).mode & 0o777).toString(8), f).toBe("600");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(join(run, "state.json")).isSymbolicLink()).toBe(false);
  });
});
