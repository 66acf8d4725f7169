// floatgwd and keepalived behind one interface, so every measure runs the
// same steps against both: start, signal the whole daemon (keepalived is a
// parent plus a forked VRRP child), and for floatgw its switchover.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cue, FLOATGWD, VIP, must, run, sleep } from "./lab.mjs";

/** Timer profiles of the issue: VRRPv2 at 1 s adverts, VRRPv3 at 100 ms,
 * and the fast profile, VRRPv3 at 10 ms (RFC 5798's minimum, 1 centisecond). */
export const PROFILES = {
  v2: { version: 2, advertMs: 1000 },
  v3: { version: 3, advertMs: 100 },
  "v3-10ms": { version: 3, advertMs: 10 },
};

/** The idle cost's loads: each profile with one VRID, and the heavy case of
 * the issue, 16 VRIDs at 10 ms adverts on one link. */
export const IDLE_LOADS = [
  { profile: "v2", vrids: 1 },
  { profile: "v3", vrids: 1 },
  { profile: "v3-10ms", vrids: 1 },
  { profile: "v3-10ms", vrids: 16 },
];

/** VRID and VIP of the i-th instance: the first is the lab's VIP (the one
 * the measures watch); the others sit beside it on br-lan. */
const instance = (i) => ({ vrid: 51 + i, vip: i === 0 ? VIP : `198.18.0.${100 + i}` });
export const PRIORITY = { a: 150, b: 100 };

/** The trackers of the tracking measures, configured alike for both
 * daemons: a check script, the same script with a weight, a ping of the WAN
 * gateway (a script running ping for keepalived, whose VRRP side has no
 * ping check) and the carrier of the WAN device. `flag` and `weighted` are
 * files whose removal makes the scripts fail. */
export const TRACK = { intervalMs: 1000, fall: 2, pingTimeoutMs: 500, weight: -60, gw: "198.19.1.1", device: "wan" };

function floatgwTrackers(t) {
  const s = (TRACK.intervalMs / 1000).toString();
  const section = (name, opts) => `\nconfig tracker '${name}'\n${Object.entries(opts).map(([k, v]) => `\toption ${k} '${v}'\n`).join("")}`;
  return ["flag", "weighted", "gw", "link"].map((n) => `\tlist track '${n}'\n`).join("")
    + section("flag", { type: "script", script: `test -f ${t.flag}`, interval: s, timeout: "1", fall: TRACK.fall })
    + section("weighted", { type: "script", script: `test -f ${t.weighted}`, interval: s, timeout: "1", fall: TRACK.fall, weight: TRACK.weight })
    + section("gw", { type: "ping", host: TRACK.gw, interval: s, timeout: TRACK.pingTimeoutMs / 1000, fall: TRACK.fall })
    + section("link", { type: "link", device: TRACK.device });
}

function keepalivedTrackers(t) {
  const s = TRACK.intervalMs / 1000;
  const script = (name, command, weight = 0) =>
    `vrrp_script ${name} {\n  script "${command}"\n  interval ${s}\n  timeout 1\n  fall ${TRACK.fall}\n  rise 1\n  weight ${weight}\n}\n`;
  return {
    // Scripts as root, without keepalived's warning that script security is off.
    globals: "  enable_script_security\n  script_user root\n",
    scripts: script("flag", `/usr/bin/test -f ${t.flag}`) + script("weighted", `/usr/bin/test -f ${t.weighted}`, TRACK.weight)
      + script("gw", `/bin/ping -c 1 -W ${TRACK.pingTimeoutMs / 1000} ${TRACK.gw}`),
    instance: `  track_script {\n    flag\n    weighted\n    gw\n  }\n  track_interface {\n    ${TRACK.device}\n  }\n`,
  };
}

class Daemon {
  constructor(lab, role, profile) {
    this.lab = lab;
    this.role = role;
    this.profile = profile;
    this.dir = mkdtempSync(join(tmpdir(), `${lab.ns[role]}-`));
    this.child = null;
  }

  /** Starts the daemon; `onCue`, it waits for the Cue returned. */
  start({ onCue = false } = {}) {
    this.child = this.lab.start(this.role, onCue ? Cue.wrap(this.argv()) : this.argv());
    return onCue ? new Cue(this.child.pid) : null;
  }

  /** Every process of the daemon, children first (see kill). */
  pids() {
    const all = this.lab.pids(this.role, this.comm);
    return [...all.filter((p) => p !== this.child?.pid), ...all.filter((p) => p === this.child?.pid)];
  }

  /** Every process the daemon runs, its helpers too (floatgw's watcher,
   * which a signal to the daemon leaves alone): what it costs is theirs. */
  costPids() {
    return [...this.pids(), ...this.helperComms.flatMap((comm) => this.lab.pids(this.role, comm))];
  }

  /** Sends `signal` to every process of the daemon (SIGSTOP, SIGCONT) and
   * returns at once. */
  signalAll(signal) {
    for (const pid of this.pids()) process.kill(pid, signal);
  }

  /** Signals the daemon and waits (bounded) until all its processes are
   * gone. SIGKILL goes to the children before the parent, so keepalived's
   * parent cannot notice its VRRP child die and clean up or respawn it. */
  async kill(signal) {
    const pids = signal === "SIGKILL" ? this.pids() : [this.child.pid];
    for (const pid of pids) process.kill(pid, signal);
    const deadline = Date.now() + 10_000;
    while (this.lab.pids(this.role, this.comm).length > 0) {
      if (Date.now() > deadline) throw new Error(`${this.comm} on ${this.role} survived ${signal}: ${this.child.log}`);
      await sleep(10);
    }
    this.child = null;
  }

  dispose() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class Floatgw extends Daemon {
  comm = "floatgwd";
  /** The dead-man switch's watcher (a master's) and the backup's listener. */
  helperComms = ["floatgwd-watch", "floatgwd-listen"];
  name = "floatgw";

  /** With `leases`, the first instance moves DHCP (dhcp '1') and the pair
   * replicates leases over the lease channel, with no hooks (hotplug '0':
   * no dnsmasq runs here; bench/dhcp.mjs has the real OpenWrt routers). */
  constructor(lab, role, profile, { track = null, vrids = 1, leases = false } = {}) {
    super(lab, role, profile);
    const p = PROFILES[profile];
    const vip = (i) => {
      const { vrid, vip: address } = instance(i);
      return `
config vip '${i === 0 ? "lan" : `lan${i}`}'
\toption device 'br-lan'
\toption vrid '${vrid}'
\toption version '${p.version}'
\toption advert_int '${p.advertMs / 1000}'
\toption priority '${PRIORITY[role]}'
\tlist address '${address}/24'
${i === 0 && leases ? "\toption interface 'lan'\n\toption dhcp '1'\n" : ""}${i === 0 && track ? floatgwTrackers(track) : ""}`;
    };
    const leaseChannel = leases
      ? `\toption secret 'floatgw-bench-lease-key'\n\toption hotplug '0'\n\toption dhcp_leasefile '${join(this.dir, "dhcp.leases")}'\n`
      : "";
    writeFileSync(join(this.dir, "floatgw"), `config floatgw 'global'
\toption enabled '1'
${leaseChannel}${Array.from({ length: vrids }, (_, i) => vip(i)).join("")}`);
  }

  get runDir() {
    return join(this.dir, "run");
  }

  argv() {
    return [FLOATGWD, "run", "--config", join(this.dir, "floatgw"), "--run-dir", this.runDir];
  }

  /** `floatgw switchover --hold 30` in the router's namespace, as a user
   * on the router would run it, made ready to run on its cue (Cue):
   * `go()` gives it and returns the time it did, and `done` resolves with
   * the exit status. */
  async switchoverReady() {
    const sh = this.lab.start(this.role, Cue.wrap([FLOATGWD, "switchover", "--hold", "30", "--run-dir", this.runDir]));
    const done = new Promise((resolve) => sh.on("exit", (code) => resolve(code)));
    const cue = new Cue(sh.pid);
    await cue.ready();
    return { go: (mark) => { const t = mark(); cue.give(); return t; }, done };
  }

  /** `floatgw status --json`, or null while the daemon does not answer. */
  status() {
    const r = run([FLOATGWD, "status", "--json", "--run-dir", this.runDir], 10_000);
    return r.status === 0 ? JSON.parse(r.stdout) : null;
  }

  /** Its state transitions so far, summed over its instances (null while
   * it does not answer): its own counters. A status request wakes the
   * daemon: ask outside a measured window. */
  transitions() {
    const status = this.status();
    return status ? status.instances.reduce((n, i) => n + i.counters.transitions, 0) : null;
  }

  static version() {
    return must([FLOATGWD, "--version"]).trim();
  }
}

export class Keepalived extends Daemon {
  comm = "keepalived";
  helperComms = [];
  name = "keepalived";

  /** With `leases`, the first instance moves DHCP (dhcp '1') and the pair
   * replicates leases over the lease channel, with no hooks (hotplug '0':
   * no dnsmasq runs here; bench/dhcp.mjs has the real OpenWrt routers). */
  constructor(lab, role, profile, { track = null, vrids = 1, leases = false } = {}) {
    super(lab, role, profile);
    const p = PROFILES[profile];
    this.conf = join(this.dir, "keepalived.conf");
    const t = track ? keepalivedTrackers(track) : { globals: "", scripts: "", instance: "" };
    const vrrpInstance = (i) => {
      const { vrid, vip } = instance(i);
      return `vrrp_instance ${i === 0 ? "lan" : `lan${i}`} {
  state BACKUP
  interface br-lan
  virtual_router_id ${vrid}
  priority ${PRIORITY[role]}
  advert_int ${p.advertMs / 1000}
  virtual_ipaddress {
    ${vip}/24 dev br-lan
  }
${i === 0 ? t.instance : ""}}
`;
    };
    writeFileSync(this.conf, `global_defs {
  router_id bench_${role}
  vrrp_version ${p.version}
${t.globals}}
${t.scripts}${Array.from({ length: vrids }, (_, i) => vrrpInstance(i)).join("")}`);
    const check = lab.exec(role, ["keepalived", "-t", "-f", this.conf]);
    if (check.status !== 0) throw new Error(`keepalived -t rejected the config: ${check.stderr}`);
  }

  start(opts) {
    // After a SIGKILL the pid files name processes that may linger as
    // zombies (an init that does not reap orphans, as in containers), and
    // keepalived then refuses to start, "daemon is already running". A
    // router's init would reap them; start the way it would.
    for (const f of ["ka.pid", "ka-vrrp.pid"]) rmSync(join(this.dir, f), { force: true });
    const cue = super.start(opts);
    // keepalived keeps no count: its log (-l, on stderr) has a line for
    // each instance's state entered, "(lan) Entering MASTER STATE".
    this.entered = 0;
    let partial = "";
    this.child.stderr.on("data", (s) => {
      const lines = (partial + s).split("\n");
      partial = lines.pop();
      this.entered += lines.filter((l) => l.includes(") Entering ")).length;
    });
    return cue;
  }

  /** Its state transitions so far, from its log: every state entered
   * since its start, the first (BACKUP, from INIT) included. */
  transitions() {
    return this.entered;
  }

  argv() {
    return ["keepalived", "-n", "-l", "-D", "-P", "-G", "-f", this.conf,
      "-p", join(this.dir, "ka.pid"), "-r", join(this.dir, "ka-vrrp.pid")];
  }

  static version() {
    const r = run(["keepalived", "--version"]);
    return (r.stdout + r.stderr).split("\n")[0].trim();
  }
}

export const IMPLS = { floatgw: Floatgw, keepalived: Keepalived };

/** The end of each router's daemon log, for a failed session's message. */
export const logTails = (d) => ["a", "b"].map((r) => `${r}: ${d[r]?.child?.log.slice(-2000) ?? ""}`).join("\n");
