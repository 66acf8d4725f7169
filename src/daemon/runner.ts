// One VRRP instance on the real system: feeds the pure core with adverts,
// timer expiries, and the health of its link and trackers, and carries out
// the actions it returns (adverts on the wire, VIPs through netlink,
// gratuitous ARP / NA).
import { type Addr, addrEquals, formatAddr } from "../core/addr";
import { advertFor } from "../core/instance-config";
import { decodeAdvert, encodeAdvert } from "../core/packet";
import { type Contribution, type PriorityBreakdown, type TrackTerm, effectivePriority } from "../core/priority";
import { type Action, type Event, type InstanceState, type Role, createInstance, step } from "../core/state";
import type { Ms } from "../core/units";
import type { LinkPresence } from "../track/link";
import type { TrackUse } from "../track/spec";
import { after, isSyscallError } from "../platform/engine";
import { VRRP_GROUP_V4, VRRP_GROUP_V6 } from "../platform/vrrp-socket";
import { guarded, LogLimiter, type Logger } from "./log";
import { type InstanceSpec, coreConfig } from "./spec";

/** What a runner needs from its device (device.ts) and the daemon. */
export interface RunnerHost {
  now(): Ms;
  /** Sends a VRRP message on the device; throws a syscall error on failure. */
  send(family: 4 | 6, message: Uint8Array, dst: Addr): void;
  addAddress(vip: Addr, prefix: number): boolean;
  deleteAddress(vip: Addr, prefix: number): boolean;
  hasAddress(vip: Addr): boolean;
  announce(vip: Addr): void;
  /** Something status-worthy changed (transition, priority, VIP). */
  changed(): void;
  notify(spec: InstanceSpec, from: Role, to: Role, reason: string, priority: number): void;
  /** The current terms of the trackers this instance uses. */
  trackTerms(uses: readonly TrackUse[]): TrackTerm[];
  /** The faults the instance's sync group gives it (its other members' own). */
  groupFaults(spec: InstanceSpec): string[];
  /** The instance's own faults changed: its sync group's other members must look again. */
  ownFaultsChanged(spec: InstanceSpec): void;
  /** A sync group member would take over: its group decides. */
  wantMaster(spec: InstanceSpec, reason: string): void;
  /** The VIPs were just added (true) or are about to go (false): what follows mastership follows. */
  vipsHeld(spec: InstanceSpec, held: boolean): void;
}

export interface PeerSeen {
  addr: Addr;
  priority: number;
  at: Ms;
}

/** A VRRP message that reached this instance (its VRID, its family). */
export interface Incoming {
  payload: Uint8Array;
  src: Addr;
  dst: Addr;
  ttl: number;
}

export class Runner {
  spec: InstanceSpec;
  state: InstanceState | null = null;
  vipPresent = false;
  lastPeer: PeerSeen | null = null;
  private cancelTimer: (() => void) | null = null;
  private cancelGarp: (() => void) | null = null;
  /** One line per distinct complaint (e.g. a bad packet's source) a minute. */
  private readonly warnings = new LogLimiter(60_000);
  private readonly group: Addr;
  /** The device's link as its link model last reported it. */
  private link: { presence: LinkPresence; reason: string } = { presence: "up", reason: "" };
  /** Base priority, tracker terms, effective priority: what status shows. */
  breakdown: PriorityBreakdown;
  /** Why the instance is (or would be) in FAULT; empty when healthy. */
  faults: string[] = [];
  /** Its own part of `faults`: its link and trackers, not its sync group's. */
  ownFaults: string[] = [];
  /** The primary address, kept while the start waits for trackers' first results. */
  private waitingToStart: Addr | null = null;

  constructor(spec: InstanceSpec, private readonly host: RunnerHost, private readonly log: Logger) {
    this.spec = spec;
    this.group = spec.family === 4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6;
    this.breakdown = effectivePriority(spec.priority, host.trackTerms(spec.track));
  }

  /** Starts the core once our primary address on the device is known. A VIP
   * of ours already on the interface was left by a crashed run: it is
   * removed before the first election, or two routers would answer for it.
   * A tracker of weight 0 without a first result holds the start back, as
   * in keepalived: the instance must not win an election it would leave
   * a moment later. */
  start(primary: Addr): void {
    for (const v of this.spec.vips) {
      if (this.host.hasAddress(v.addr) && this.host.deleteAddress(v.addr, v.prefix)) {
        this.log("warn", `removed ${formatAddr(v.addr)}/${v.prefix}, left on ${this.spec.device} by an earlier run`);
      }
    }
    this.waitingToStart = primary;
    this.assess("start");
  }

  private begin(primary: Addr): void {
    this.waitingToStart = null;
    this.state = createInstance(coreConfig(this.spec, primary));
    const b = this.breakdown;
    this.log("info", `starting: VRRPv${this.spec.version} priority ${b.effective}`
      + `${b.effective !== this.spec.priority ? ` (base ${this.spec.priority})` : ""} from ${formatAddr(primary)}`
      + `, ${this.spec.unicastPeers.length ? `unicast to ${this.spec.unicastPeers.map(formatAddr).join(", ")}` : "multicast"}`);
    if (b.effective !== this.spec.priority) this.feed({ kind: "setPriority", priority: b.effective });
    // Unhealthy from the start: straight to Fault, not through Backup.
    this.feed(this.faults.length > 0 ? { kind: "fault", reason: this.faults.join("; ") } : { kind: "start" });
  }

  /** The device's link changed, as its link model decided (src/track/link.ts). */
  setLink(presence: LinkPresence, reason: string): void {
    this.link = { presence, reason };
    this.assess(reason);
  }

  /** Works out priority and FAULT from the link, the trackers and the sync
   * group, and tells the core what changed. `why` names what changed, for
   * the log. The group's other members hear of a change of our own faults
   * after we acted on it, so that the member at fault goes first. */
  assess(why: string): void {
    const b = effectivePriority(this.spec.priority, this.host.trackTerms(this.spec.track));
    const own = this.link.presence === "up" ? [] : [this.link.reason];
    for (const c of b.faults) own.push(`tracker ${c.name} ${faultState(c)}: ${c.detail}`);
    const faults = [...own, ...this.host.groupFaults(this.spec)];
    const changed = b.effective !== this.breakdown.effective || faults.join() !== this.faults.join();
    const ownChanged = own.join() !== this.ownFaults.join();
    this.breakdown = b;
    this.faults = faults;
    this.ownFaults = own;
    this.act(why, changed);
    if (ownChanged) this.host.ownFaultsChanged(this.spec);
  }

  private act(why: string, changed: boolean): void {
    const b = this.breakdown;
    if (this.waitingToStart !== null) {
      if (b.pending.length === 0) this.begin(this.waitingToStart);
      else if (why === "start") this.log("info", `waiting for the first result of tracker ${b.pending.map((c) => c.name).join(", ")}`);
      return;
    }
    const s = this.state;
    if (!s) return;
    if (s.priority !== b.effective) {
      this.log("info", `priority ${s.priority} -> ${b.effective}: ${why}`);
      this.feed({ kind: "setPriority", priority: b.effective });
    }
    const faults = this.faults;
    if (faults.length > 0 && s.role !== "fault") this.feed({ kind: "fault", reason: faults.join("; ") });
    else if (faults.length === 0 && s.role === "fault") this.feed({ kind: "faultCleared", reason: why });
    else if (changed) this.host.changed();
  }

  get primary(): Addr | null {
    return this.state?.config.primary ?? null;
  }

  feed(event: Event): void {
    if (!this.state) return;
    const now = this.host.now();
    const result = step(this.state, event, now);
    const before = this.state;
    this.state = result.state;
    for (const action of result.actions) this.perform(action);
    this.schedule(result.nextDeadline, now);
    if (before.role !== result.state.role || before.priority !== result.state.priority) this.host.changed();
  }

  receive(msg: Incoming): void {
    if (!this.state) return;
    const decoded = decodeAdvert(msg.payload, { src: msg.src, dst: msg.dst }, this.spec.codec);
    if (!decoded.ok) {
      this.log("debug", `dropped datagram from ${formatAddr(msg.src)}: ${decoded.detail}`);
      this.feed({ kind: "rxError", reason: decoded.reason });
      return;
    }
    this.lastPeer = { addr: msg.src, priority: decoded.value.priority, at: this.host.now() };
    const multicast = addrEquals(msg.dst, this.group);
    this.feed({ kind: "advert", rx: { advert: decoded.value, src: msg.src, ttl: msg.ttl, multicast } });
  }

  /** A reload changed only the priority, the trackers or the notify
   * scripts: the new effective priority shows in the next advert, and the
   * election follows from there, without a transition of our own (unless
   * FAULT starts or ends). */
  update(spec: InstanceSpec): void {
    const what = spec.priority !== this.spec.priority ? `base priority ${this.spec.priority} -> ${spec.priority}` : "configuration changed";
    this.spec = spec;
    this.assess(what);
  }

  /** The device was re-created or its addresses flushed while we hold the
   * VIP: put the VIP back and announce it, without a transition. */
  restoreVips(why: string): void {
    if (this.state?.role !== "master") return;
    let restored = false;
    for (const v of this.spec.vips) {
      if (this.host.hasAddress(v.addr)) continue;
      try {
        restored = this.host.addAddress(v.addr, v.prefix) || restored;
      } catch (e) {
        this.log("warn", `${why}: cannot restore ${formatAddr(v.addr)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (restored) {
      this.log("warn", `${why}: VIP restored`);
      this.vipPresent = true;
      this.garpBurst(this.spec.gratuitous.count, this.spec.gratuitous.spacingMs);
      this.host.changed();
    }
  }

  stop(why: string): void {
    if (why !== "shutdown") this.log("info", `stopping: ${why}`);
    this.waitingToStart = null;
    this.feed({ kind: "shutdown" });
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private schedule(deadline: Ms | null, now: Ms): void {
    this.cancelTimer?.();
    this.cancelTimer = deadline === null ? null : after(deadline - now, guarded(this.log, "timer", () => {
      this.cancelTimer = null;
      this.feed({ kind: "timeout" });
    }));
  }

  private perform(action: Action): void {
    switch (action.kind) {
      case "sendAdvert":
        return this.sendAdvert(action.priority);
      case "addVip":
        for (const v of this.spec.vips) this.host.addAddress(v.addr, v.prefix);
        this.vipPresent = true;
        this.host.vipsHeld(this.spec, true);
        return;
      case "removeVip":
        this.cancelGarps();
        this.host.vipsHeld(this.spec, false);
        for (const v of this.spec.vips) this.host.deleteAddress(v.addr, v.prefix);
        this.vipPresent = false;
        return;
      case "wantMaster":
        this.log("debug", `would take over (${action.reason}); sync group ${this.spec.syncGroupName ?? ""} decides`);
        this.host.wantMaster(this.spec, action.reason);
        return;
      case "sendGratuitous":
        return this.garpBurst(action.count, action.spacingMs);
      case "notify":
        this.log("info", `${action.from} -> ${action.to}: ${action.reason}`);
        this.host.notify(this.spec, action.from, action.to, action.reason, this.state?.priority ?? this.spec.priority);
        return;
      case "log": {
        const line = action.level === "warn" ? this.warnings.pass(action.message, this.host.now()) : action.message;
        if (line !== null) this.log(action.level, line);
        return;
      }
    }
  }

  private sendAdvert(priority: number): void {
    const state = this.state;
    if (!state) return;
    const advert = advertFor(state.config, priority);
    const targets = this.spec.unicastPeers.length > 0 ? this.spec.unicastPeers : [this.group];
    for (const dst of targets) {
      try {
        this.host.send(this.spec.family, encodeAdvert(advert, { src: state.config.primary, dst }, this.spec.codec), dst);
      } catch (e) {
        // The link may be gone for a moment (netifd re-creating br-lan):
        // the link events decide about Fault, not a failed send.
        this.log("debug", `advert to ${formatAddr(dst)} not sent: ${isSyscallError(e) ? e.message : String(e)}`);
      }
    }
  }

  /** `count` announcements of every VIP, `spacingMs` apart; a new burst
   * replaces one still in progress. */
  private garpBurst(count: number, spacingMs: number): void {
    this.cancelGarps();
    if (count <= 0) return;
    this.announceAll();
    if (spacingMs === 0) {
      for (let i = 1; i < count; i++) this.announceAll();
      return;
    }
    this.cancelGarp = after(spacingMs, guarded(this.log, "gratuitous ARP", () => {
      this.cancelGarp = null;
      this.garpBurst(count - 1, spacingMs);
    }));
  }

  private announceAll(): void {
    for (const v of this.spec.vips) {
      try {
        this.host.announce(v.addr);
      } catch (e) {
        this.log("warn", `announcing ${formatAddr(v.addr)} failed: ${isSyscallError(e) ? e.message : String(e)}`);
      }
    }
  }

  private cancelGarps(): void {
    this.cancelGarp?.();
    this.cancelGarp = null;
  }
}

/** How a term that puts the instance in FAULT is failing. */
function faultState(c: Contribution): string {
  if (c.fileValue !== null) return `holds ${c.fileValue}`;
  return c.state === "up" ? "up (reverse)" : "down";
}
