// The bench's view of the two-router lab: the namespace lab of
// test/lab/lab.sh for the VRRP measures (keepalived runs there, and it is
// not part of OpenWrt's rootfs), or the lab of real OpenWrt routers of
// test/lab/openwrt.mjs (same namespaces, switch and addresses) for DHCP
// continuity. It records every process it starts so cleanup kills them by
// PID, and turns what the lab observes into one time-ordered list of
// events on the wall clock (the clock tcpdump and `ip -ts` stamp):
//   wire  tcpdump on the switch's sw0: adverts, GARPs, echo requests/replies
//         (and, for the DHCP step, tshark on sw0: DHCP messages)
//   vip   `ip -ts monitor address` in each router: the VIP added / removed
//   mark  what the bench itself did (fault injected, daemon killed, ...)
import { spawn, spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { alive, netnsPids, OpenWrtLab } from "../test/lab/openwrt.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const FLOATGWD = resolve(ROOT, "build/x86_64/floatgwd");
/** The client's prober (bench/echo-probe.c; `make bench` builds it). */
export const ECHO_PROBE = resolve(ROOT, "build/bench/echo-probe");
export const VIP = "198.18.0.1";
export const ROUTERS = { a: "198.18.0.2", b: "198.18.0.3" };

/** The wall clock's offset from performance.now(), taken at a tick of
 * Date.now() (which counts whole milliseconds), so to a few microseconds;
 * the larger of two ticks, as a preemption between the two reads can only
 * make it smaller. */
function wallOffset() {
  let best = -Infinity;
  for (let i = 0; i < 2; i++) {
    const start = Date.now();
    let wall;
    do wall = Date.now(); while (wall === start);
    best = Math.max(best, wall - performance.now());
  }
  return best;
}
let offset = wallOffset();
// performance.now() runs on the monotonic clock, which drifts from the
// wall clock that tcpdump and `ip -ts` stamp (NTP slews the wall clock:
// here the offset moved by 2 ms within two minutes, and
// performance.timeOrigin itself was 1-2 ms off), enough to put a router's
// reaction within a millisecond of a mark before that mark. So the offset
// is taken again every second (a spin of at most 2 ms).
setInterval(() => (offset = wallOffset()), 1000).unref();

/** Wall-clock milliseconds with sub-millisecond resolution: the clock
 * of the capture's and `ip -ts monitor`'s stamps. */
export const now = () => performance.now() + offset;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A command that starts on a cue, as from a user's shell: a shell
 * started ahead (the bench's own fork of a node process and `ip netns
 * exec`, several ms each and noisy, are behind it) stops itself, and execs
 * the command when the bench's SIGCONT wakes it, so a time taken at the cue
 * is the command's own. The cue is that one system call. It was a line
 * written to the shell's stdin, and ending node's stream ran JavaScript
 * right after the cue (V8 compiling it, the first time, for up to 4 ms) on
 * the CPU where the shell was woken: the command's start waited for it
 * (docs/performance.md). */
export class Cue {
  static READY_MS = 200;

  /** The command line that runs `argv` on a cue. */
  static wrap(argv) {
    return ["sh", "-c", 'kill -STOP $$ && exec "$@"', "cue", ...argv];
  }

  /** `pid`: the shell of wrap's command line (`ip netns exec` execs it). */
  constructor(pid) {
    this.pid = pid;
  }

  /** Resolves once the shell had the time to stop (READY_MS from its
   * spawn); throws unless it waits for its cue. */
  async ready() {
    await sleep(Cue.READY_MS);
    const state = readFileSync(`/proc/${this.pid}/stat`, "utf8").replace(/^.*\) /s, "")[0];
    if (state !== "T") throw new Error(`the shell ${this.pid} waiting for its cue is in state ${state}, not stopped`);
  }

  give() {
    process.kill(this.pid, "SIGCONT");
  }
}
/** Milliseconds to one decimal, as the results record them. */
export const r1 = (x) => Math.round(x * 10) / 10;

/** Runs a command to completion, bounded; returns status and output. */
export function run(argv, timeoutMs = 20_000, input) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: timeoutMs, input, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function must(argv, timeoutMs, input) {
  const r = run(argv, timeoutMs, input);
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Whether this machine lets the bench run a command SCHED_FIFO (a
 * container may have no real-time budget); the machine record says. */
export const MONITOR_FIFO = spawnSync("chrt", ["-f", "50", "true"]).status === 0;

/** `ip -ts monitor`, stamping each event when it prints it. It runs
 * SCHED_FIFO where it can, so that it prints an address or route event as
 * soon as the kernel sends it: at normal priority it waited for a CPU
 * behind the daemons' own work after a takeover or a step-down (writing a
 * state file, forking a helper), 2–5 ms on two CPUs, and that wait counted
 * in the daemon's time. */
export const MONITOR = [...(MONITOR_FIFO ? ["chrt", "-f", "50"] : []), "ip", "-ts", "-o", "monitor"];

// `ip -ts` prints local time without a zone: "[2026-11-23T14:32:26.501461]".
export function parseIpTime(stamp) {
  const [whole, frac] = stamp.split(".");
  return Date.parse(whole) + Number(`0.${frac}`) * 1000;
}

const WIRE = /^(\d+\.\d+) (\S+) > (\S+), ethertype (\w+) .*?: (.*)$/;

/** One tcpdump line as an event, or null for frames the bench ignores. */
export function parseWire(line, macs) {
  const m = WIRE.exec(line);
  if (!m) return null;
  const t = Number(m[1]) * 1000;
  const router = macs[m[2]] ?? null;
  const body = m[5];
  let x = /^(\S+) > 224\.0\.0\.18: VRRPv(\d), Advertisement, vrid \d+, prio (\d+)/.exec(body);
  if (x) return { t, src: "wire", kind: "advert", router: routerOf(x[1]), prio: Number(x[3]) };
  if (m[4] === "ARP" && new RegExp(`tell ${VIP.replace(/\./g, "\\.")},|^Reply ${VIP.replace(/\./g, "\\.")} is-at`).test(body)) {
    return { t, src: "wire", kind: m[3] === "ff:ff:ff:ff:ff:ff" ? "garp" : "arp-reply", router };
  }
  x = /ICMP echo (request|reply), id \d+, seq (\d+)/.exec(body);
  if (x) return { t, src: "wire", kind: x[1] === "request" ? "echo-request" : "echo-reply", router, seq: Number(x[2]) };
  return null;
}

/** DHCP message types (RFC 2132 option 53) by number. */
const DHCP_TYPES = { 1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE", 8: "INFORM" };

/** One line of the tshark fields watchDhcp asks for, as an event. */
export function parseDhcp(line, macs) {
  const [epoch, mac, type, yiaddr] = line.split("|");
  if (!DHCP_TYPES[type]) return null;
  return { t: Number(epoch) * 1000, src: "wire", kind: "dhcp", type: DHCP_TYPES[type], router: macs[mac] ?? null, yiaddr };
}

const routerOf = (ip) => Object.keys(ROUTERS).find((k) => ROUTERS[k] === ip) ?? ip;

let labs = 0;
/** Labs that are up, for the runner's signal handlers to tear down. */
export const LIVE = new Set();

export class Lab extends EventEmitter {
  constructor(tag = "") {
    super();
    // Unique per process and lab, short: interface-name limits apply to veths.
    this.prefix = `fgb${process.pid.toString(36)}${tag}${(labs++).toString(36)}`;
    this.ns = { sw: `${this.prefix}-sw`, a: `${this.prefix}-a`, b: `${this.prefix}-b`, c: `${this.prefix}-c` };
    this.children = new Set();
    this.events = [];
    this.holds = { a: false, b: false };
    /** Snapshots of who holds the VIP after each change: {t, a, b}. */
    this.holders = [{ t: 0, a: false, b: false }];
    this.macs = {};
    this.isUp = false;
    this.dirs = [];
  }

  /** Builds the lab (with `openwrt`, boots two OpenWrt routers: then
   * `this.openwrt` is their OpenWrtLab) and starts watching it. Without
   * `wire`, nothing captures the switch: a capture wakes for every advert,
   * and the kernel bills that wake-up to the sender, so the idle cost's
   * windows run without it (the VIP's holders come from `ip monitor`). */
  async up({ openwrt = false, wire = true } = {}) {
    this.isUp = true;
    LIVE.add(this);
    if (openwrt) {
      this.openwrt = new OpenWrtLab({ prefix: this.prefix });
      await this.openwrt.up();
    } else {
      must(["bash", `${ROOT}/test/lab/lab.sh`, "up", this.prefix], 60_000);
    }
    for (const r of ["a", "b"]) this.macs[this.exec(r, ["cat", "/sys/class/net/br-lan/address"]).stdout.trim()] = r;
    this.control("sw");
    if (wire) this.lines(this.start("sw", ["tcpdump", "-i", "sw0", "--immediate-mode", "-n", "-e", "-tt", "-l", "ip proto 112 or arp or icmp"]),
      (l) => parseWire(l, this.macs));
    for (const r of ["a", "b"]) {
      this.lines(this.start(r, [...MONITOR, "address"]), (l) => {
        const m = /^\[(\S+)\] (Deleted )?\d+: br-lan\s+inet (\S+)\//.exec(l);
        return m && m[3] === VIP ? { t: parseIpTime(m[1]), src: "vip", kind: m[2] ? "vip-del" : "vip-add", router: r } : null;
      });
    }
  }

  /** A WAN for router A: a veth `wan` (198.19.1.2/24) to a gateway
   * namespace `<prefix>-gw` (eth0, 198.19.1.1/24). */
  addWan() {
    this.ns.gw = `${this.prefix}-gw`;
    must(["ip", "netns", "add", this.ns.gw]);
    must(["ip", "-n", this.ns.gw, "link", "set", "lo", "up"]);
    must(["ip", "link", "add", "wan", "netns", this.ns.a, "type", "veth", "peer", "name", "eth0", "netns", this.ns.gw]);
    this.must("gw", ["ip", "addr", "add", "198.19.1.1/24", "dev", "eth0"]);
    this.must("gw", ["ip", "link", "set", "eth0", "up"]);
    this.must("a", ["ip", "addr", "add", "198.19.1.2/24", "dev", "wan"]);
    this.must("a", ["ip", "link", "set", "wan", "up"]);
    this.control("gw");
  }

  /** A temporary directory, removed in cleanup. */
  tmpdir() {
    const dir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Adds the DHCP messages crossing the switch to the events, decoded by
   * tshark: {kind: "dhcp", type: "ACK"|..., router, yiaddr}. Resolves once
   * tshark captures. */
  async watchDhcp(timeoutMs) {
    const tshark = this.start("sw", ["tshark", "-i", "sw0", "-l", "-n", "-f", "udp port 67 or udp port 68", "-T", "fields",
      "-E", "separator=|", "-e", "frame.time_epoch", "-e", "eth.src", "-e", "dhcp.option.dhcp", "-e", "dhcp.ip.your"]);
    this.lines(tshark, (l) => parseDhcp(l, this.macs));
    await this.until(() => tshark.log.includes("Capturing on"), timeoutMs, "tshark capturing on sw0");
  }

  /** Starts a long-running command in one of the lab's namespaces. */
  start(role, argv, { stdin = false } = {}) {
    const child = spawn("ip", ["netns", "exec", this.ns[role], ...argv], { stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"] });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    child.stderr.setEncoding("utf8");
    child.log = "";
    child.stderr.on("data", (s) => (child.log = (child.log + s).slice(-16384)));
    return child;
  }

  exec(role, argv, timeoutMs) {
    return run(["ip", "netns", "exec", this.ns[role], ...argv], timeoutMs);
  }

  must(role, argv, timeoutMs) {
    return must(["ip", "netns", "exec", this.ns[role], ...argv], timeoutMs);
  }

  /** Starts a long-lived `ip` and `nft` in one of the lab's namespaces that
   * read commands from stdin (ip(), nft()), so a fault lands within a
   * millisecond of the bench's mark or of the advert that triggers it, not
   * after a fork of node and an exec of `ip netns exec` (30-40 ms for an
   * `nft` at a split brain's heal, which then raced the routers' adverts). */
  control(role) {
    this.controls ??= {};
    this.controls[role] = {
      ip: this.start(role, ["ip", "-force", "-batch", "-"], { stdin: true }),
      nft: this.start(role, ["nft", "-i"], { stdin: true }),
    };
  }

  /** Sends one `ip` command to a namespace with a control() without forking. */
  ip(role, command) {
    this.controls[role].ip.stdin.write(`${command}\n`);
  }

  /** Sends one `nft` command (`include "FILE"` loads a ruleset) to a
   * namespace with a control() without forking. */
  nft(role, command) {
    this.controls[role].nft.stdin.write(`${command}\n`);
  }

  /** Sends one `ip` command to the switch without forking. */
  switch(command) {
    this.ip("sw", command);
  }

  lines(child, parse) {
    let rest = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop();
      for (const line of parts) {
        const e = parse(line);
        if (e) this.push(e);
      }
    });
  }

  push(e) {
    this.events.push(e);
    if (e.src === "vip") {
      this.holds[e.router] = e.kind === "vip-add";
      this.holders.push({ t: e.t, ...this.holds });
    }
    this.emit("event", e);
  }

  /** Records something the bench did, stamped now, and returns its time. */
  mark(what) {
    const t = now();
    this.push({ t, src: "mark", kind: what });
    return t;
  }

  /** Resolves with the first event after `since` that matches, waiting at
   * most timeoutMs for it. */
  next(match, timeoutMs, what, since = now()) {
    const seen = this.events.find((e) => e.t >= since && match(e));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onEvent = (e) => {
        if (e.t >= since && match(e)) {
          clearTimeout(timer);
          this.off("event", onEvent);
          resolve(e);
        }
      };
      const timer = setTimeout(() => {
        this.off("event", onEvent);
        reject(new Error(`${this.prefix}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on("event", onEvent);
    });
  }

  /** Waits (polling, bounded) until cond() holds. */
  async until(cond, timeoutMs, what) {
    const deadline = now() + timeoutMs;
    while (!cond()) {
      if (now() > deadline) throw new Error(`${this.prefix}: timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(10);
    }
  }

  /** Who held the VIP at time t. */
  holdersAt(t) {
    let h = this.holders[0];
    for (const s of this.holders) if (s.t <= t) h = s;
    return h;
  }

  /** The last event at or before t that matches. */
  lastBefore(t, match) {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].t <= t && match(this.events[i])) return this.events[i];
    return null;
  }

  /** PIDs of processes named `comm` in a router's namespace. */
  pids(role, comm) {
    return netnsPids(this.ns[role]).filter((pid) => alive(pid, comm));
  }

  /** Kills what this lab started, by PID, and removes its namespaces
   * (lab.sh down or the OpenWrt lab's cleanup kill whatever else still
   * runs in them, by PID). */
  cleanup() {
    for (const child of this.children) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    this.children.clear();
    if (this.ns.gw) {
      for (const pid of netnsPids(this.ns.gw)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      run(["ip", "netns", "del", this.ns.gw]);
      delete this.ns.gw;
    }
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (this.openwrt) this.openwrt.cleanup();
    else if (this.isUp) run(["bash", `${ROOT}/test/lab/lab.sh`, "down", this.prefix], 60_000);
    this.isUp = false;
    LIVE.delete(this);
  }
}

/** The client's probe interval: a gap between two replies holds up to one
 * interval beyond the outage itself, so it must be small against the
 * fast profile's 36 ms Master_Down_Interval. */
export const PROBE_MS = 2;

/** The client's echo probe of the VIP every PROBE_MS; stop() parses its
 * `ping -D` style output with the lab's test/lab/ping-gap.mjs into {sent,
 * answered, lost, maxGapMs}. Not iputils ping: at 2 ms it spins on a CPU
 * (bench/echo-probe.c says more). */
export class Pinger {
  constructor(lab) {
    if (!existsSync(ECHO_PROBE)) throw new Error(`${ECHO_PROBE} is missing: run make bench (or make ${relative(ROOT, ECHO_PROBE)})`);
    this.child = lab.start("c", [ECHO_PROBE, String(PROBE_MS), VIP]);
    this.out = "";
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (s) => (this.out += s));
    this.exited = new Promise((r) => this.child.on("exit", r));
  }

  async stop() {
    this.child.kill("SIGINT");
    await Promise.race([this.exited, sleep(3000)]);
    return JSON.parse(must(["node", `${ROOT}/test/lab/ping-gap.mjs`], 10_000, this.out));
  }
}
