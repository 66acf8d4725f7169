// One network device (br-lan) and the instances that run on it: its link
// state, its VRRP sockets (one per address family, shared by the instances
// and dispatched by VRID), and what netifd does to it behind our back
// (deleting and re-creating it, flushing its addresses, losing carrier).
// What such a change means (settle, deletion grace, VIP restore) is decided
// by the link model of src/track/link.ts; this file does the mechanics.
import { type Addr, type Family, addrEquals, addrFromBytes } from "../core/addr";
import { decodeVrrpDatagram } from "../core/ipv4";
import type { PlanSend, WatchedInstance } from "../core/deadman";
import { type Ms, centisecToMs } from "../core/units";
import { Announcer } from "../platform/announcer";
import { after, bytesEqual, sys, watchReadable } from "../platform/engine";
import { RT_SCOPE_LINK, type AddrInfo, type LinkInfo, linkFlags } from "../platform/netlink";
import { Rtnl, type RtnlEvent } from "../platform/rtnl";
import { sockaddrNl } from "../platform/sockaddr";
import { VrrpSocket, arrivedAt } from "../platform/vrrp-socket";
import { type LinkEvent, type LinkState, MIN_DELETION_GRACE_MS, type PortFlags, createLink, ownCarrier, portsLost, stepLink } from "../track/link";
import type { Children } from "../platform/children";
import { Listener } from "./listener";
import { guarded, type Logger } from "./log";
import { Runner, type RunnerHost } from "./runner";
import type { InstanceSpec } from "./spec";

const AF_INET = 2;
const AF_INET6 = 10;
/** Datagrams thrown away from the send socket per turn of the event loop:
 * a flood of them must leave room for timers (our own adverts) and the
 * other sockets. */
const DISCARD_PER_TURN = 64;

/** Where the VRID of the datagram in `socket.received` is: after the IPv4
 * header, or first thing in an IPv6 socket's VRRP message. Only a guess
 * for Runner.repeat, which compares the whole datagram. */
function vridAt(socket: VrrpSocket, length: number): number | undefined {
  const data = socket.received.data;
  const at = socket.family === 4 ? ((data[0] ?? 0) & 0x0f) * 4 + 1 : 1;
  return at < length ? data[at] : undefined;
}

/** The most datagrams read at once before an instance's timer is acted on
 * (Runner.expired): what 16 instances at 10 ms adverts queue in 50 ms, so
 * a flood still cannot hold a timer back for long. */
const RECEIVE_PENDING_LIMIT = 80;

/** Datagrams dropped before any instance could claim them, by reason. */
export type DeviceDrops = Record<string, number>;

/** What the daemon gives every runner; the device adds its link's part. */
export type DeviceHost = Omit<RunnerHost, "send" | "addAddress" | "refreshAddress" | "deleteAddress" | "hasAddress" | "announce" | "receivePending"
  | "listenChanged">;

export class Device {
  readonly runners: Runner[] = [];
  ifindex = -1;
  up = false;
  private flags = linkFlags(0);
  /** Whether its carrier is its own (src/track/link.ts ownCarrier). */
  private ownCarrier = false;
  readonly drops: DeviceDrops = {};
  private mac: Uint8Array = new Uint8Array(6);
  private addresses: AddrInfo[] = [];
  private readonly sockets = new Map<Family, VrrpSocket>();
  /** The backups' listener child of each socket (src/daemon/listener.ts). */
  private readonly listeners = new Map<Family, Listener>();
  private announcer: Announcer | null = null;
  /** What the link's changes mean: src/track/link.ts. */
  private link: LinkState;
  private cancelLinkTimer: (() => void) | null = null;
  /** The device's bridge ports by ifindex (none if it is no bridge): their
   * carrier tells a lost link before the bridge's own does (link.ts). */
  private ports = new Map<number, PortFlags>();

  constructor(readonly name: string, private readonly rtnl: Rtnl, private readonly host: DeviceHost,
    private readonly children: Children, private readonly log: Logger) {
    this.link = createLink(name, "missing");
  }

  /** A new instance on this device (at start or on reload). */
  add(spec: InstanceSpec): void {
    const r = new Runner(spec, this.runnerHost(), this.instanceLogger(spec));
    this.runners.push(r);
    if (this.ifindex >= 0 && !this.sockets.has(spec.family)) this.openSocket(spec.family);
    this.updateMembership(spec.family);
    this.startRunner(r);
  }

  /** Stops an instance (a master resigns with priority 0) and forgets it. */
  remove(r: Runner, why: string): void {
    r.stop(why);
    this.runners.splice(this.runners.indexOf(r), 1);
    this.updateMembership(r.spec.family);
  }

  /** Whether some instance of `family` here is in multicast mode. */
  private multicast(family: Family): boolean {
    return this.runners.some((r) => r.spec.family === family && r.spec.unicastPeers.length === 0);
  }

  /** Joins the group while some instance is in multicast mode; while none
   * is, lets the kernel queue only adverts from the unicast peers. */
  private updateMembership(family: Family): void {
    const socket = this.sockets.get(family);
    if (!socket) return;
    const multicast = this.multicast(family);
    const peers = this.runners.filter((r) => r.spec.family === family).flatMap((r) => r.spec.unicastPeers.map((p) => p.bytes));
    try {
      socket.setMembership(multicast);
      socket.setSources(multicast ? null : peers);
    } catch (e) {
      this.log("error", `IPv${family} VRRP socket rules on ${this.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private instanceLogger(spec: InstanceSpec): Logger {
    return (level, message) => this.log(level, `vrid ${spec.vrid} ${spec.name}: ${message}`);
  }

  /** Looks the device up; instances added later start in Fault if it is
   * missing or down. */
  start(): void {
    this.attach();
    this.link = createLink(this.name, this.ifindex < 0 ? "missing" : this.up ? "up" : "down");
    this.feedPorts();
  }

  private startRunner(r: Runner): void {
    if (r.state) return;
    const primary = this.primaryAddress(r.spec);
    if (!primary) {
      const what = this.ifindex < 0 ? `${this.name} to appear` : `an IPv${r.spec.family} address on ${this.name}`;
      this.log("warn", `vrid ${r.spec.vrid} ${r.spec.name}: waiting for ${what}`);
      return;
    }
    if (this.link.reported !== "up") r.setLink(this.link.reported, `interface ${this.name} ${this.link.reported}`);
    r.start(primary);
  }

  /** Finds the device by name and opens its sockets; false if it is absent. */
  private attach(): boolean {
    this.detach();
    this.ports.clear();
    try {
      this.ifindex = sys.ifNameToIndex(this.name);
    } catch {
      this.ifindex = -1;
      this.up = false;
      return false;
    }
    const link = this.rtnl.getLink(this.ifindex);
    if (!link) {
      this.ifindex = -1;
      return false;
    }
    this.applyLink(link);
    this.ports = new Map(this.rtnl.ports(this.ifindex).map((p) => [p.ifindex, linkFlags(p.flags)]));
    this.addresses = this.rtnl.addresses(this.ifindex);
    this.announcer = new Announcer(this.name, this.ifindex, this.mac);
    for (const family of new Set(this.runners.map((r) => r.spec.family))) this.openSocket(family);
    return true;
  }

  private openSocket(family: Family): void {
    const source = this.runners.map((r) => (r.spec.family === family ? r.primary ?? this.primaryAddress(r.spec) : null))
      .find((a): a is Addr => a !== null);
    if (!source) return;
    try {
      const socket = new VrrpSocket({ family, ifname: this.name, ifindex: this.ifindex, source, joinGroup: this.multicast(family) },
        (m) => this.log("warn", m));
      this.sockets.set(family, socket);
      const listener = new Listener(socket, {
        now: () => this.host.now(),
        runners: () => this.runners.filter((r) => r.spec.family === family),
        drop: (reason, n) => this.drop(reason, n),
      }, this.children, this.log);
      this.listeners.set(family, listener);
      // A re-created device: its backups' wants have not changed, but the
      // new sockets have no listener yet.
      listener.update();
      this.updateMembership(family);
      watchReadable(socket.rx, guarded(this.log, "VRRP receive", () => this.receive(socket)));
      watchReadable(socket.tx, guarded(this.log, "VRRP socket", () => socket.discardTx(DISCARD_PER_TURN)));
    } catch (e) {
      this.log("error", `IPv${family} VRRP socket on ${this.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private detach(): void {
    for (const listener of this.listeners.values()) listener.stop();
    this.listeners.clear();
    for (const socket of this.sockets.values()) {
      watchReadable(socket.rx, null);
      watchReadable(socket.tx, null);
      socket.close();
    }
    this.sockets.clear();
    this.announcer?.close();
    this.announcer = null;
  }

  private applyLink(link: LinkInfo): void {
    this.flags = linkFlags(link.flags);
    this.up = this.flags.adminUp && this.flags.carrier;
    this.ownCarrier = ownCarrier(link.kind);
    if (link.mac && link.mac.length === 6) this.mac = link.mac;
  }

  /** Our source address for an instance: unicast_src, else the device's
   * first IPv4 address that is not a VIP, or its IPv6 link-local address
   * (RFC 5798 §5.1.2.1: IPv6 adverts come from the link-local address). */
  private primaryAddress(spec: InstanceSpec): Addr | null {
    if (spec.unicastSrc) return spec.unicastSrc;
    const vips = this.runners.flatMap((r) => r.spec.vips.map((v) => v.addr));
    for (const a of this.addresses) {
      const addr = a.address ? addrFromBytes(a.address) : null;
      if (!addr || addr.family !== spec.family) continue;
      if (vips.some((v) => addrEquals(v, addr))) continue;
      if (spec.family === 6 && a.scope !== RT_SCOPE_LINK) continue;
      return addr;
    }
    return null;
  }

  /** One datagram per turn of the event loop, which comes back at once
   * while more wait: one recvmsg per advert rather than a second one that
   * finds the queue empty, and a flood cannot starve the timers. One equal
   * to the last its instance decoded is that instance's business at once
   * (Runner.repeat); any other is decoded in full. */
  private receive(socket: VrrpSocket): boolean {
    const length = socket.receive();
    if (length < 0) return false;
    // Taken before the listener's round trip below.
    const at = arrivedAt(socket.received, this.host.now());
    const runner = this.runnerFor(socket.family, vridAt(socket, length));
    if (runner === undefined || !runner.repeat(socket, length, at)) {
      // Not a copy of its master's advert: the core hears the copies the
      // listener took before it (a no-op unless one watches).
      if (runner !== undefined) this.listeners.get(socket.family)?.sync(runner);
      this.decode(socket, length, at);
    }
    return true;
  }

  /** The instance of `family` with `vrid`; a loop, as this runs for every
   * datagram and a closure for `find` would be made each time. */
  private runnerFor(family: Family, vrid: number | undefined): Runner | undefined {
    for (let i = 0; i < this.runners.length; i++) {
      const r = this.runners[i] as Runner;
      if (r.spec.family === family && r.spec.vrid === vrid) return r;
    }
    return undefined;
  }

  private decode(socket: VrrpSocket, length: number, at: Ms): void {
    const r = socket.received;
    if (r.info[2] !== 0) {
      this.drop("too-long");
      return;
    }
    const raw = r.data.slice(0, length);
    let payload: Uint8Array = raw;
    let src = socket.family === 6 ? socket.receivedFrom() : null;
    let dst = socket.family === 6 ? socket.receivedDst() : null;
    let ttl = r.info[0] ?? -1;
    if (socket.family === 4) {
      const ip = decodeVrrpDatagram(raw);
      if (!ip.ok) {
        this.drop(ip.reason);
        return;
      }
      ({ payload, src, dst, ttl } = ip.value);
    }
    const vrid = payload[1];
    const runner = this.runnerFor(socket.family, vrid);
    if (!src || !dst || vrid === undefined) this.drop("short");
    else if (!runner) this.drop("vrid-mismatch");
    else runner.receive({ payload, src, dst, ttl, raw }, at);
  }

  private drop(reason: string, n = 1): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + n;
  }

  /** A batch of events from the daemon's netlink monitor. Deleting a
   * device first reports it down, then gone: when both are in one batch the
   * "down" is skipped, so a deletion is handled as one (with its grace time)
   * rather than as a fault. */
  onEvents(events: readonly RtnlEvent[]): void {
    // Indexed loops, and a set only when a device went: the usual batch is
    // one address event (a VIP's renewed lifetime), every few seconds.
    let deleted: Set<number> | null = null;
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as RtnlEvent;
      if (e.kind === "link-deleted") (deleted ??= new Set()).add(e.link.ifindex);
    }
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as RtnlEvent;
      if (e.kind === "link" && deleted?.has(e.link.ifindex) === true) continue;
      this.onEvent(e);
    }
  }

  private onEvent(e: RtnlEvent): void {
    switch (e.kind) {
      case "link":
        if (e.link.name === this.name) this.onLink(e.link);
        else this.onPort(e.link.ifindex, e.link.master === this.ifindex && this.ifindex >= 0 ? linkFlags(e.link.flags) : null);
        return;
      case "link-deleted":
        if (e.link.ifindex === this.ifindex) this.onDeleted();
        else this.onPort(e.link.ifindex, null);
        return;
      case "addr-added":
        // A VIP's renewed lifetime (every 10 s) changes nothing here.
        if (e.addr.ifindex === this.ifindex && !this.knows(e.addr)) this.onAddresses(false);
        return;
      case "addr-deleted":
        if (e.addr.ifindex === this.ifindex) this.onAddresses(true);
        return;
    }
  }

  private onLink(link: LinkInfo): void {
    if (link.ifindex !== this.ifindex) {
      // Re-created (netifd restart) or appearing for the first time: new
      // ifindex, so sockets and multicast membership must be redone.
      if (!this.attach()) return;
      this.log("info", `${this.name} ${this.link.graceUntil !== null ? "re-created" : "appeared"} (ifindex ${this.ifindex})`);
      for (const r of this.runners) this.startRunner(r);
    } else {
      this.applyLink(link);
    }
    this.feedLink({ kind: "link", ...this.flags, ownCarrier: this.ownCarrier });
    this.feedPorts();
  }

  /** Another device changed: `flags` if it is (now) one of our ports, null
   * if it is not (or no longer, or deleted). */
  private onPort(ifindex: number, flags: PortFlags | null): void {
    if (flags) this.ports.set(ifindex, flags);
    else if (!this.ports.delete(ifindex)) return;
    this.feedPorts();
  }

  /** Tells the link model whether every port has lost carrier, when that changed. */
  private feedPorts(): void {
    const lost = portsLost(this.ports.values());
    if (lost !== this.link.portsLost) this.feedLink({ kind: "ports", lost });
  }

  /** netifd deletes and re-creates br-lan on a network restart. Give it
   * three advert intervals (at least a second) to come back before
   * declaring a fault, so that a restart costs no transition. */
  private onDeleted(): void {
    this.detach();
    this.ifindex = -1;
    this.up = false;
    this.ports.clear();
    const graceMs = Math.max(...this.runners.map((r) => 3 * centisecToMs(r.spec.advertIntervalCs)), MIN_DELETION_GRACE_MS);
    this.log("warn", `${this.name} deleted; waiting ${graceMs} ms for it to come back`);
    this.feedLink({ kind: "deleted", graceMs });
  }

  /** Whether the device already has this address with this prefix. */
  private knows(a: AddrInfo): boolean {
    const bytes = a.address;
    if (bytes === null) return false;
    for (let i = 0; i < this.addresses.length; i++) {
      const b = this.addresses[i] as AddrInfo;
      if (b.family === a.family && b.prefix === a.prefix && b.address !== null && b.address.length === bytes.length
        && bytesEqual(b.address, 0, bytes, 0, bytes.length)) return true;
    }
    return false;
  }

  private onAddresses(deleted: boolean): void {
    this.addresses = this.rtnl.addresses(this.ifindex);
    for (const r of this.runners) this.startRunner(r);
    if (this.sockets.size === 0 && this.up) this.attach();
    // A flush, or the first sign of the device being deleted: the link
    // model looks again once the link has settled.
    if (deleted) this.feedLink({ kind: "addressDeleted" });
  }

  /** Feeds the link model and carries out what it decides. */
  private feedLink(e: LinkEvent): void {
    const now = this.host.now();
    const r = stepLink(this.link, e, now);
    this.link = r.state;
    for (const a of r.actions) {
      if (a.kind === "report") for (const runner of this.runners) runner.setLink(a.presence, a.reason);
      else if (this.ifindex >= 0) {
        this.addresses = this.rtnl.addresses(this.ifindex);
        for (const runner of this.runners) runner.restoreVips(a.reason);
      }
    }
    this.cancelLinkTimer?.();
    this.cancelLinkTimer = r.nextDeadline === null ? null : after(r.nextDeadline - now, guarded(this.log, "link timer", () => {
      this.cancelLinkTimer = null;
      this.feedLink({ kind: "timeout" });
    }));
  }

  /** What the watcher child must do for each instance here: send its
   * periodic adverts (its beacon), renew its VIPs' lifetimes and, should
   * the daemon die, send its priority-0 adverts on our VRRP socket and the
   * netlink requests that delete its VIPs (src/core/deadman.ts). */
  watched(): WatchedInstance[] {
    return this.runners.map((r) => {
      const role = r.state?.role ?? null;
      const common = { name: r.spec.name, role, version: r.spec.version, advertIntervalCs: r.spec.advertIntervalCs };
      // Only a master's datagrams go into a plan (deadman.ts, planFor):
      // building the others' cost a switchover 0.3 ms before its priority 0.
      if (role !== "master") return { ...common, beacon: null, renewal: null, resign: [], release: [] };
      const socket = this.sockets.get(r.spec.family);
      const resign: PlanSend[] = socket ? r.resignAdverts().map((a) => ({ fd: socket.tx, data: a.message, to: socket.sockaddr(a.dst) })) : [];
      const kernel = sockaddrNl();
      const release: PlanSend[] = this.ifindex < 0 ? [] : r.spec.vips.map((v) => ({ fd: this.rtnl.fd, data: Rtnl.deleteRequest(this.ifindex, v.addr, v.prefix), to: kernel }));
      const b = socket ? r.beaconAdverts() : null;
      const beacon = b && socket ? { ...b, sends: b.adverts.map((a) => ({ fd: socket.tx, data: a.message, to: socket.sockaddr(a.dst) })) } : null;
      const n = this.ifindex < 0 ? null : r.renewal();
      const renewal = n === null ? null
        : { ...n, sends: n.vips.map((v) => ({ fd: this.rtnl.fd, data: Rtnl.renewRequest(this.ifindex, v.addr, v.prefix, v.lifetimeS), to: kernel })) };
      return { ...common, beacon, renewal, resign, release };
    });
  }

  stop(): void {
    this.cancelLinkTimer?.();
    this.cancelLinkTimer = null;
    for (const r of this.runners) r.stop("shutdown");
    this.detach();
  }

  private runnerHost(): RunnerHost {
    const h = this.host;
    return {
      now: () => h.now(),
      changed: () => h.changed(),
      notify: (spec, from, to, reason, priority) => h.notify(spec, from, to, reason, priority),
      transitions: (work) => h.transitions(work),
      afterVips: (work) => h.afterVips(work),
      trackTerms: (uses) => h.trackTerms(uses),
      groupFaults: (spec) => h.groupFaults(spec),
      ownFaultsChanged: (spec) => h.ownFaultsChanged(spec),
      wantMaster: (spec, reason) => h.wantMaster(spec, reason),
      vipsHeld: (spec, held) => h.vipsHeld(spec, held),
      alive: () => h.alive(),
      beaconChanged: (stopped) => h.beaconChanged(stopped),
      beaconsSent: (name) => h.beaconsSent(name),
      listenChanged: (family) => this.listeners.get(family)?.update(),
      send: (family, message, dst) => {
        const socket = this.sockets.get(family);
        if (!socket) throw new Error(`no IPv${family} socket on ${this.name}`);
        socket.send(message, dst);
      },
      addAddress: (vip, prefix, lifetimeS) => this.ifindex >= 0 && this.rtnl.addAddress(this.ifindex, vip, prefix, lifetimeS),
      refreshAddress: (vip, prefix, lifetimeS) => {
        if (this.ifindex >= 0) this.rtnl.refreshAddress(this.ifindex, vip, prefix, lifetimeS);
      },
      deleteAddress: (vip, prefix) => this.ifindex >= 0 && this.rtnl.deleteAddress(this.ifindex, vip, prefix),
      hasAddress: (vip) => this.addresses.some((a) => a.family === (vip.family === 4 ? AF_INET : AF_INET6)
        && a.address !== null && addrEquals({ family: vip.family, bytes: a.address }, vip)),
      announce: (vip) => this.announcer?.announce(vip),
      receivePending: (family) => {
        const socket = this.sockets.get(family);
        for (let n = 0; socket && n < RECEIVE_PENDING_LIMIT && this.receive(socket); n++);
      },
    };
  }
}
