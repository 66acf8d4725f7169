#!/usr/bin/env node
// The real-OpenWrt lab: two routers booted from the OpenWrt rootfs, a switch
// and a client, for the tests, the demo and the bench (plain .mjs so node
// scripts and vitest both import it; types in openwrt.d.mts).
//
//   <p>-sw  bridge sw0 with ports pa, pb, pc (a switch: "router A dies" is
//           `ip -n <p>-sw link set pa down`, which A sees as carrier loss)
//   <p>-a   router A: procd as PID 1 of its own PID/mount/UTS namespace in
//           this network namespace, root = its own view of the rootfs; LAN
//           198.18.0.2/24, 2001:db8:0:1::2/64 on the bridge br-lan over eth0
//   <p>-b   router B, the same with 198.18.0.3, 2001:db8:0:1::3
//   <p>-c   a client (no OpenWrt): eth0 198.18.0.100/24, 2001:db8:0:1::100/64
//
// Each router boots the rootfs's own procd, ubusd, logd, rpcd, netifd,
// dnsmasq (OpenWrt's init, in ujail) and firewall4, with the configuration
// written here before the first boot: only 198.18.0.0/15 and 2001:db8::/32,
// and only the services a router of the lab needs (the others, two of which
// would set the host's clock and kernel.* sysctls, are not started).
//
// netifd cannot create a bridge on this kernel (it always asks for VLAN
// filtering, which the kernel lacks) and never adopts an existing one that
// its config names. So br-lan is a real bridge made here, before boot, and
// handed to netifd afterwards (`ubus call network.interface.lan add_device`;
// again after every netifd restart: lanUp()), with `lan` configured without
// a device. A switch port going down is then a real carrier loss on br-lan.
//
// A router's root is an overlay mounted inside its own mount namespace: the
// unpacked rootfs (rootfs.mjs, shared, never written) below, a tmpfs above
// that takes whatever the router writes. Nothing is copied, and it all goes
// away with the namespace (a copy of the tree on this disk takes seconds to
// make and seconds more to delete). From the host a router's files are
// reached through its procd: Router.path().
//
// The lab's state directory under the system's temp dir holds state.json
// (namespaces, the PID of each procd) and the boot logs. cleanup() kills
// each procd by PID (PID 1 of its namespace: everything in it dies with
// it), then whatever else runs in the lab's namespaces, by PID, deletes the
// namespaces and the directory, also after a failure.
//
// CLI (for scripts/demo.sh): up, down, sh, install, commands (see USAGE).
import { spawn, spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pristineRootfs } from "./rootfs.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const VIP = "198.18.0.1";
export const ROUTERS = { a: "198.18.0.2", b: "198.18.0.3" };
export const CLIENT = "198.18.0.100";
const V6 = { a: "2001:db8:0:1::2", b: "2001:db8:0:1::3", c: "2001:db8:0:1::100" };
const PORTS = { a: "pa", b: "pb", c: "pc" };

/** The environment of every command run inside a router: OpenWrt's PATH,
 * nothing of the host's. */
const ROUTER_ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root" };
/** The environment procd starts with, as from the kernel. */
const INIT_ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/", TERM: "linux" };
/** Services started at boot (the other /etc/rc.d links are removed). */
const SERVICES = ["boot", "system", "log", "rpcd", "network", "firewall", "dnsmasq", "ucitrack", "done", "umount"];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs a command to completion, bounded; returns status and output. */
export function run(argv, { timeoutMs = 30_000, input, env } = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: timeoutMs, input, env, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like run, but throws with the command's stderr when it fails. */
export function must(argv, opts) {
  const r = run(argv, opts);
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Polls `probe` every 50 ms until it returns something other than null,
 * undefined or false; throws naming `what` after timeoutMs, with what
 * `explain` says of the state it was stuck in, if given. */
export async function waitFor(what, probe, timeoutMs = 30_000, explain = undefined) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${explain()}` : ""}`);
    }
    await sleep(50);
  }
}

/** A UCI file in the layout `uci commit` writes, so that a file changed
 * and changed back by uci reads back byte for byte. `sections` are
 * [type, name | null, [[key, value | value[]], ...]]. */
function uciFile(sections) {
  let out = "";
  for (const [type, name, options] of sections) {
    out += `\nconfig ${type}${name ? ` '${name}'` : ""}\n`;
    for (const [key, value] of options) {
      for (const v of Array.isArray(value) ? value : [value]) out += `\t${Array.isArray(value) ? "list" : "option"} ${key} '${v}'\n`;
    }
  }
  return `${out}\n`;
}

/** /etc/config/dhcp of a lab router as written before the first boot:
 * OpenWrt's defaults, a short lease and a small range for the tests, and one
 * option of the admin's own that floatgw must keep. (At first boot the
 * rootfs's own uci-defaults add odhcpd's settings: tests compare with the
 * file as it is after boot.) */
const DHCP_CONFIG = uciFile([
  ["dnsmasq", null, [["domainneeded", "1"], ["localise_queries", "1"], ["rebind_protection", "1"],
    ["rebind_localhost", "1"], ["local", "/lan/"], ["domain", "lan"], ["expandhosts", "1"], ["authoritative", "1"],
    ["readethers", "1"], ["leasefile", "/tmp/dhcp.leases"], ["resolvfile", "/tmp/resolv.conf.d/resolv.conf.auto"],
    ["localservice", "1"], ["ednspacket_max", "1232"]]],
  ["dhcp", "lan", [["interface", "lan"], ["start", "150"], ["limit", "50"], ["leasetime", "2m"],
    ["dhcp_option", ["42,198.18.0.9"]]]],
  ["dhcp", "wan", [["interface", "wan"], ["ignore", "1"]]],
]);

function networkConfig(r) {
  return uciFile([
    ["interface", "loopback", [["device", "lo"], ["proto", "static"], ["ipaddr", "127.0.0.1"], ["netmask", "255.0.0.0"]]],
    // No device: br-lan is handed over after boot (see the top of the file).
    ["interface", "lan", [["proto", "static"], ["ipaddr", ROUTERS[r]], ["netmask", "255.255.255.0"], ["ip6addr", `${V6[r]}/64`]]],
  ]);
}

/** OpenWrt's default firewall: the LAN zone accepts input, WAN rejects. */
const FIREWALL_CONFIG = uciFile([
  ["defaults", null, [["syn_flood", "1"], ["input", "REJECT"], ["output", "ACCEPT"], ["forward", "REJECT"]]],
  ["zone", null, [["name", "lan"], ["network", ["lan"]], ["input", "ACCEPT"], ["output", "ACCEPT"], ["forward", "ACCEPT"]]],
  ["zone", null, [["name", "wan"], ["network", ["wan", "wan6"]], ["input", "REJECT"], ["output", "ACCEPT"],
    ["forward", "REJECT"], ["masq", "1"], ["mtu_fix", "1"]]],
  ["forwarding", null, [["src", "lan"], ["dest", "wan"]]],
]);

function systemConfig(r) {
  // log_size in KiB: logd also reads the (shared) kernel log, which other
  // labs on the machine keep busy; floatgw's lines must not rotate out.
  return uciFile([["system", null, [["hostname", `router-${r}`], ["timezone", "UTC"], ["ttylogin", "0"], ["log_size", "1024"]]]]);
}

/** Turns a fresh view of the rootfs at `tree` into lab router `r` (before its first boot). */
function prepareTree(tree, r) {
  const rcd = join(tree, "etc/rc.d");
  for (const link of readdirSync(rcd)) {
    const name = link.replace(/^[SK]\d\d/, "");
    if (!SERVICES.includes(name)) rmSync(join(rcd, link));
  }
  // preinit would put its failsafe address (192.168.1.1) on eth0, then take
  // eth0 down; without failsafe it leaves the network alone (and waits 1 s
  // for a failsafe key instead of 2).
  const preinit = join(tree, "lib/preinit/00_preinit.conf");
  writeFileSync(preinit, `${readFileSync(preinit, "utf8")}pi_preinit_no_failsafe="y"\nfs_failsafe_wait_timeout=1\n`);
  // No login prompts on consoles the lab does not have.
  const inittab = join(tree, "etc/inittab");
  writeFileSync(inittab, readFileSync(inittab, "utf8").split("\n").filter((l) => !l.includes("askfirst")).join("\n"));
  // Hotplug scripts of services that do not run here.
  must(["sh", "-c", `rm -f "$1"/etc/hotplug.d/*/*mwan3* "$1"/etc/hotplug.d/*/*modemmanager*`, "sh", tree]);
  const config = join(tree, "etc/config");
  rmSync(join(config, "wireless"), { force: true });
  writeFileSync(join(config, "network"), networkConfig(r));
  writeFileSync(join(config, "dhcp"), DHCP_CONFIG);
  writeFileSync(join(config, "firewall"), FIREWALL_CONFIG);
  writeFileSync(join(config, "system"), systemConfig(r));
}

// Run by the new PID namespace's first process (in its new mount namespace),
// with the router's directory $1, the rootfs $2 and a file $3 to wait for:
// the overlay at $1/root over a tmpfs on $1; then, once the lab has written
// the router's configuration into it and created $3, /proc, /sys (this
// network namespace's), a /dev with the few nodes OpenWrt needs (its
// console a plain file: nothing reaches the host's console), a /tmp, and
// procd, without CAP_SYSLOG. A router may not read the kernel log: every
// router's logd would otherwise read the host's one /proc/kmsg, where each
// reader takes messages away from the others. The logd that loses the race
// for a message its poll announced blocks in read() until the kernel logs
// again, and while it blocks nobody reads /dev/log: procd, dnsmasq and
// logger block in their syslog writes (a DHCP test hung 30 s after a port
// went down). Without the capability logd cannot open /proc/kmsg and
// serves syslog alone (a real router's logd has a kernel of its own).
// procd mounts /proc afresh, so hiding /proc/kmsg in BOOT would not last.
const BOOT = `set -e
d=$1
mount -t tmpfs -o mode=0755 router "$d"
mkdir "$d/upper" "$d/work" "$d/root"
mount -t overlay -o "lowerdir=$2,upperdir=$d/upper,workdir=$d/work" rootfs "$d/root"
t=$d/root
mkdir -p "$t/proc" "$t/sys" "$t/dev" "$t/tmp" "$t/root"
[ -e "$t/var" ] || ln -s tmp "$t/var"
while [ ! -e "$3" ]; do sleep 0.02; done
mount -t proc proc "$t/proc"
mount -t sysfs sysfs "$t/sys"
mount -t tmpfs -o mode=0755,size=512k dev "$t/dev"
mknod -m 666 "$t/dev/null" c 1 3
mknod -m 666 "$t/dev/zero" c 1 5
mknod -m 666 "$t/dev/random" c 1 8
mknod -m 666 "$t/dev/urandom" c 1 9
mknod -m 666 "$t/dev/tty" c 5 0
: > "$t/dev/console"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$t/tmp"
exec setpriv --bounding-set -syslog chroot "$t" /sbin/init
`;

/** PIDs (on the host) of every process in network namespace `ns`. */
export function netnsPids(ns) {
  return run(["ip", "netns", "pids", ns]).stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** Whether process `pid` still runs under the name `comm`. */
export function alive(pid, comm) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === comm;
  } catch {
    return false;
  }
}

const stateDir = (prefix) => join(tmpdir(), `floatgw-openwrt-${prefix}`);

/** One booted OpenWrt router of the lab. */
export class Router {
  constructor(lab, name, pid) {
    this.lab = lab;
    this.name = name;
    this.ns = lab.ns[name];
    this.address = ROUTERS[name];
    /** procd's PID on the host. */
    this.pid = pid;
  }

  /** nsenter into procd's namespaces and root, OpenWrt's environment. */
  argv(script) {
    return ["nsenter", "-t", String(this.pid), "-m", "-n", "-u", "-p", "-r", "-w", "/bin/sh", "-c", script];
  }

  /** Runs a shell script inside the router (busybox ash) to completion. */
  sh(script, { timeoutMs = 30_000, input } = {}) {
    return run(this.argv(script), { timeoutMs, input, env: ROUTER_ENV });
  }

  /** Like sh, but throws with the script's output when it fails. */
  must(script, opts) {
    const r = this.sh(script, opts);
    if (r.status !== 0) throw new Error(`router ${this.name}: \`${script}\` exited ${r.status}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** Starts a long-running script inside the router; cleanup kills it. */
  start(script) {
    return this.lab.spawn(this.argv(script), ROUTER_ENV);
  }

  /** A path inside the router as the host can reach it (through procd's
   * root, so /tmp and /var are the router's, not the tree's). */
  path(p) {
    return `/proc/${this.pid}/root${p}`;
  }

  read(p) {
    return readFileSync(this.path(p), "utf8");
  }

  /** `logread`: the router's syslog. */
  logread() {
    return this.must("logread");
  }

  /** Hands br-lan to netifd as lan's device (after boot and after every
   * netifd restart) and waits until lan is up with its address. */
  async lanUp(timeoutMs = 30_000) {
    await waitFor(`netifd on router ${this.name}`, () => this.sh("ubus list network.interface.lan").status === 0, timeoutMs);
    this.must(`ubus call network.interface.lan add_device '{"name":"br-lan"}'`);
    await waitFor(`lan up on router ${this.name}`, () => {
      const s = this.sh("ifstatus lan");
      return s.status === 0 && JSON.parse(s.stdout).up === true && this.has(this.address);
    }, timeoutMs);
  }

  /** Whether br-lan holds `address` (the VIP by default). */
  has(address = VIP) {
    const r = run(["ip", "-n", this.ns, "-o", "addr", "show", "dev", "br-lan"]);
    return r.stdout.split("\n").some((l) => l.includes(` ${address}/`));
  }

  /** PIDs (on the host) of the router's processes named `comm`. */
  pids(comm) {
    return this.lab.pids(this.name, comm);
  }
}

/** The x86_64 package `make package` built (build/packages/x86_64/). */
export function builtIpk() {
  const dir = join(ROOT, "build/packages/x86_64");
  const ipks = existsSync(dir) ? readdirSync(dir).filter((f) => /^floatgw_.*_x86_64\.ipk$/.test(f)) : [];
  if (ipks.length !== 1) throw new Error(`${dir}: ${ipks.length} floatgw .ipk files, not one: run make package`);
  return join(dir, ipks[0]);
}

/** Installs floatgw on a booted router as a user does: the package copied
 * to the router's /tmp, then `opkg install ./floatgw_<version>_x86_64.ipk`
 * there (its post-install enables and starts the service, which runs
 * nothing while the shipped config says enabled '0'). Returns opkg's output. */
export function installFloatgw(router, ipk = builtIpk()) {
  const name = basename(ipk);
  copyFileSync(ipk, router.path(`/tmp/${name}`));
  return router.must(`cd /tmp && opkg install ./${name} 2>&1`, { timeoutMs: 60_000 });
}

/** The commands docs/install.md gives to configure router `r` of a pair,
 * dnsmasq following the VIP included ("2. Configure each router": its
 * shell blocks in order): the lab's VIP for the doc's example address,
 * priority 100 on B, and the options `extra` of the vip section set before
 * the first commit. */
export function setupCommands(r, extra = {}) {
  const doc = readFileSync(join(ROOT, "docs/install.md"), "utf8");
  const section = /\n## 2\. Configure each router\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? "";
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join("");
  if (!blocks.includes("192.168.1.1/24") || !blocks.includes("priority='150'") || !blocks.includes("dhcp='1'")) {
    throw new Error("docs/install.md: \"2. Configure each router\" lacks the example VIP 192.168.1.1/24, priority '150' or dhcp '1'");
  }
  const sets = Object.entries(extra).map(([k, v]) => `uci set floatgw.lan.${k}='${v}'\n`).join("");
  const commands = blocks.replace("192.168.1.1/24", `${VIP}/24`).replace("uci commit floatgw", `${sets}uci commit floatgw`);
  return r === "a" ? commands : commands.replace("priority='150'", "priority='100'");
}

/** `floatgw status --json` on the router, or null while it does not answer. */
export function floatgwStatus(router) {
  const r = router.sh("floatgw status --json", { timeoutMs: 10_000 });
  return r.status === 0 ? JSON.parse(r.stdout) : null;
}

/** Whether the process holds a UDP socket bound to port 67, the DHCP
 * server's (from /proc/PID/net/udp, which lists the process's network
 * namespace, and the process's own socket inodes). */
function holdsDhcpSocket(pid) {
  try {
    const inodes = new Set(readFileSync(`/proc/${pid}/net/udp`, "utf8").split("\n").slice(1)
      .map((line) => line.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(":0043")).map((f) => f[9]));
    return inodes.size > 0 && readdirSync(`/proc/${pid}/fd`).some((fd) => {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      return inode !== undefined && inodes.has(inode);
    });
  } catch {
    return false; // exited meanwhile
  }
}

/** The router's dnsmasq: the config OpenWrt's init last wrote for it (from
 * /etc/config/dhcp), its DHCP on br-lan, and its PID on the host (the one
 * serving DHCP if any; null while none runs). DHCP is "on" when that config
 * says so and a dnsmasq holds the DHCP socket, "off" when it says not and
 * none holds it, and "changing" in between: during an init restart the new
 * config is written while the old process still runs, and an old dnsmasq
 * still serving NAKs a client's request to the other router. */
export function dnsmasqState(router) {
  const conf = router.sh("cat /var/etc/dnsmasq.conf.*").stdout;
  // By exe: the init script and ujail run under the name dnsmasq too.
  const pids = router.pids("dnsmasq").filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/exe`).endsWith("/usr/sbin/dnsmasq");
    } catch {
      return false; // exited meanwhile
    }
  });
  const server = pids.find(holdsDhcpSocket);
  const configured = conf.includes("dhcp-range=") && !conf.includes("no-dhcp-interface=br-lan");
  const dhcp = configured === (server !== undefined) ? (configured ? "on" : "off") : "changing";
  return { conf, dhcp, pid: server ?? pids[0] ?? null };
}

/** floatgw's instance state on the router, or null. */
const floatgwState = (router) => floatgwStatus(router)?.instances[0]?.state ?? null;

/** VRRPv3 with 100 ms adverts: failovers within a second. */
export const FAST = { version: "3", advert_int: "0.1" };

/** Installs floatgw on both routers and sets them up with the commands of
 * docs/install.md (plus the vip options `extra`), A first; resolves once A
 * is master serving DHCP and B backup with DHCP off. */
export async function setUpPair(lab, extra = FAST) {
  for (const r of [lab.a, lab.b]) {
    installFloatgw(r);
    r.must(setupCommands(r.name, extra));
    if (r.name === "a") await waitFor("A master", () => floatgwState(r) === "master", 30_000);
  }
  await waitFor("A master serving DHCP, B backup with DHCP off", () => floatgwState(lab.a) === "master"
    && floatgwState(lab.b) === "backup" && dnsmasqState(lab.a).dhcp === "on"
    && dnsmasqState(lab.b).dhcp === "off" && dnsmasqState(lab.b).pid, 30_000);
}

/** busybox udhcpc on the client (test/lab/udhcpc-script.sh records each
 * event and puts the leased address on the interface). */
export class DhcpClient {
  /** `iface` defaults to eth0; `request` asks for that address (-r). */
  constructor(lab, { iface = "eth0", request } = {}) {
    this.log = join(lab.dir, `udhcpc-${iface}.log`);
    writeFileSync(this.log, "");
    this.child = lab.start("c", ["env", `UDHCPC_LOG=${this.log}`, "busybox", "udhcpc", "-f", "-i", iface,
      "-s", `${ROOT}/test/lab/udhcpc-script.sh`, "-t", "10", "-T", "1", "-A", "1", ...(request ? ["-r", request] : [])]);
  }

  /** Every event so far: {event, ip, router, dns, serverid}. */
  get events() {
    return readFileSync(this.log, "utf8").split("\n").filter(Boolean).map((line) => {
      const [event = "", ...kv] = line.split(" ");
      const f = Object.fromEntries(kv.map((p) => p.split("=")));
      return { event, ip: f.ip ?? "", router: f.router ?? "", dns: f.dns ?? "", serverid: f.serverid ?? "" };
    });
  }

  /** The last bound or renew event: the lease the client holds. */
  get lease() {
    return this.events.filter((e) => e.event === "bound" || e.event === "renew").pop();
  }

  /** SIGUSR1: udhcpc renews at once (unicast to its server, then broadcast). */
  renew() {
    this.child.kill("SIGUSR1");
  }
}

let labs = 0;

export class OpenWrtLab {
  /** `prefix` names the lab's namespaces; by default one unique to this
   * process. */
  constructor({ prefix } = {}) {
    this.prefix = prefix ?? `fgo${process.pid.toString(36)}${(labs++).toString(36)}`;
    this.ns = { sw: `${this.prefix}-sw`, a: `${this.prefix}-a`, b: `${this.prefix}-b`, c: `${this.prefix}-c` };
    this.dir = stateDir(this.prefix);
    /** The booted routers by name. */
    this.routers = {};
    this.children = new Set();
    this.namespaces = [];
  }

  /** The lab of `prefix` brought up by another process (the CLI). */
  static attach(prefix) {
    const lab = new OpenWrtLab({ prefix });
    const state = JSON.parse(readFileSync(join(lab.dir, "state.json"), "utf8"));
    lab.namespaces = state.namespaces;
    for (const [name, pid] of Object.entries(state.procd)) lab.routers[name] = new Router(lab, name, pid);
    return lab;
  }

  get a() {
    return this.routers.a;
  }

  get b() {
    return this.routers.b;
  }

  save() {
    const procd = Object.fromEntries(Object.entries(this.routers).map(([n, r]) => [n, r.pid]));
    writeFileSync(join(this.dir, "state.json"), JSON.stringify({ namespaces: this.namespaces, procd }));
  }

  netns(role) {
    const ns = this.ns[role];
    must(["ip", "netns", "add", ns]);
    this.namespaces.push(ns);
    this.save();
    must(["ip", "-n", ns, "link", "set", "lo", "up"]);
    return ns;
  }

  /** Builds the switch, the client and both routers, boots the routers
   * (in parallel) and resolves once both have lan up; `routers` picks fewer. */
  async up({ routers = ["a", "b"] } = {}) {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.save();
    const sw = this.netns("sw");
    must(["ip", "-n", sw, "link", "add", "sw0", "type", "bridge"]);
    must(["ip", "-n", sw, "link", "set", "sw0", "up"]);
    for (const r of [...routers, "c"]) {
      const ns = this.netns(r);
      must(["ip", "link", "add", PORTS[r], "netns", sw, "type", "veth", "peer", "name", "eth0", "netns", ns]);
      must(["ip", "-n", sw, "link", "set", PORTS[r], "master", "sw0", "up"]);
    }
    const c = this.ns.c;
    must(["ip", "netns", "exec", c, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0"]);
    must(["ip", "-n", c, "addr", "add", `${CLIENT}/24`, "dev", "eth0"]);
    must(["ip", "-n", c, "addr", "add", `${V6.c}/64`, "dev", "eth0", "nodad"]);
    must(["ip", "-n", c, "link", "set", "eth0", "up"]);
    for (const r of routers) {
      const ns = this.ns[r];
      must(["ip", "-n", ns, "link", "add", "br-lan", "type", "bridge"]);
      must(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.br-lan.accept_dad=0"]);
      must(["ip", "-n", ns, "link", "set", "eth0", "master", "br-lan", "up"]);
      must(["ip", "-n", ns, "link", "set", "br-lan", "up"]);
    }
    await Promise.all(routers.map(async (r) => {
      this.routers[r] = new Router(this, r, await this.boot(r));
      this.save();
    }));
    await Promise.all(routers.map((r) => this.routers[r].lanUp(60_000)));
    await Promise.all(routers.map((r) => waitFor(`router ${r} booted`, () =>
      this.routers[r].logread().includes("- init complete -"), 60_000)));
  }

  /** Starts router `r`: its root mounted, configured, then procd; resolves
   * with procd's PID on the host. */
  async boot(r) {
    const dir = join(this.dir, r);
    const go = join(this.dir, `${r}.go`);
    mkdirSync(dir);
    // Its output goes to a file, not to this process: procd outlives the CLI.
    const log = join(this.dir, `${r}.boot.log`);
    const fd = openSync(log, "w");
    // procd hands its environment down to every service and hook: give it
    // what a kernel gives init, nothing of the host's.
    const unshare = this.spawn(["ip", "netns", "exec", this.ns[r], "unshare", "--pid", "--fork", "--kill-child",
      "--mount", "--uts", "--propagation", "private", "sh", "-c", BOOT, "boot", dir, pristineRootfs(), go], INIT_ENV, fd);
    closeSync(fd);
    const booted = (comm) => () => {
      if (unshare.exitCode !== null) throw new Error(`router ${r} did not boot: ${readFileSync(log, "utf8")}`);
      const child = Number(run(["cat", `/proc/${unshare.pid}/task/${unshare.pid}/children`]).stdout.trim());
      return child > 0 && alive(child, comm) ? child : null;
    };
    // The first process's mounts, seen through its root, until it becomes procd.
    const pid = await waitFor(`router ${r}'s root`, () => {
      const p = booted("sh")();
      return p && existsSync(`/proc/${p}/root${dir}/root/var`) && p;
    }, 10_000);
    prepareTree(`/proc/${pid}/root${dir}/root`, r);
    writeFileSync(go, "");
    return waitFor(`procd of router ${r}`, booted("procd"), 10_000);
  }

  /** Starts a long-running command (in its own process group, so cleanup
   * can kill it with whatever it forked); its stderr is kept in `.log`,
   * or both its outputs go to the file descriptor `fd`. */
  spawn(argv, env, fd) {
    const stdio = fd === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", fd, fd];
    const child = spawn(argv[0], argv.slice(1), { stdio, detached: true, env });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    child.log = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (s) => (child.log = (child.log + s).slice(-16384)));
    return child;
  }

  /** Runs a command in one of the lab's namespaces (sw, a, b, c) with the
   * host's tools (for a router: outside its OpenWrt). */
  exec(role, argv, opts) {
    return run(["ip", "netns", "exec", this.ns[role], ...argv], opts);
  }

  must(role, argv, opts) {
    return must(["ip", "netns", "exec", this.ns[role], ...argv], opts);
  }

  /** Starts a long-running host command in one of the lab's namespaces. */
  start(role, argv) {
    return this.spawn(["ip", "netns", "exec", this.ns[role], ...argv]);
  }

  /** Sets router `r`'s switch port up or down. */
  port(r, state) {
    must(["ip", "-n", this.ns.sw, "link", "set", PORTS[r], state]);
  }

  /** br-lan's MAC of each router: {mac: name}. */
  macs() {
    return Object.fromEntries(Object.keys(this.routers).map((r) =>
      [readFileSync(`/proc/${this.routers[r].pid}/root/sys/class/net/br-lan/address`, "utf8").trim(), r]));
  }

  /** PIDs (on the host) of processes named `comm` in a namespace of the lab. */
  pids(role, comm) {
    return netnsPids(this.ns[role]).filter((pid) => alive(pid, comm));
  }

  /** Kills every procd and process of the lab by PID, deletes its
   * namespaces and its directory. Safe to call twice, and on a lab that
   * came up only in part. */
  cleanup() {
    for (const router of Object.values(this.routers)) {
      // PID 1 of the router's PID namespace: the kernel kills the rest.
      if (alive(router.pid, "procd")) process.kill(router.pid, "SIGKILL");
    }
    for (const child of this.children) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    this.children.clear();
    for (const ns of this.namespaces.splice(0)) {
      for (let i = 0; i < 50; i++) {
        const pids = netnsPids(ns);
        if (pids.length === 0) break;
        for (const pid of pids) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
        spawnSync("sleep", ["0.1"]);
      }
      run(["ip", "netns", "del", ns]);
    }
    this.routers = {};
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const USAGE = `usage: openwrt.mjs up PREFIX | down PREFIX
       openwrt.mjs sh PREFIX a|b SCRIPT      run SCRIPT in a router (exit status: SCRIPT's)
       openwrt.mjs install PREFIX a|b        opkg install the built package in a router
       openwrt.mjs commands a|b [KEY=VALUE...]  print docs/install.md's setup for a router`;

/** The router `name` of the lab `prefix` brought up by `up`. */
function attached(prefix, name) {
  const r = OpenWrtLab.attach(prefix).routers[name];
  if (!r) throw new Error(`no router ${name} in lab ${prefix}`);
  return r;
}

async function cli([cmd, ...args]) {
  const [prefix, router, script] = args;
  if (cmd === "up" && prefix) {
    const lab = new OpenWrtLab({ prefix });
    try {
      await lab.up();
    } catch (e) {
      lab.cleanup();
      throw e;
    }
    for (const child of lab.children) child.unref();
    process.exit(0);
  } else if (cmd === "down" && prefix) {
    if (existsSync(join(stateDir(prefix), "state.json"))) OpenWrtLab.attach(prefix).cleanup();
  } else if (cmd === "sh" && prefix && router && script !== undefined) {
    const out = attached(prefix, router).sh(script, { timeoutMs: 120_000 });
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    process.exit(out.status);
  } else if (cmd === "install" && prefix && router) {
    process.stdout.write(installFloatgw(attached(prefix, router)));
  } else if (cmd === "commands" && (prefix === "a" || prefix === "b")) {
    process.stdout.write(setupCommands(prefix, Object.fromEntries(args.slice(1).map((kv) => kv.split("=")))));
  } else {
    console.error(USAGE);
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).catch((e) => {
    console.error(`openwrt.mjs: ${e.message}`);
    process.exit(1);
  });
}
